// The action group pedns's alerts notify: e-mail addresses only (no webhooks, no secrets).

@description('Name prefix for the action group.')
param namePrefix string

@description('E-mail addresses to notify.')
@minLength(1)
param emails array

param tags object = {}

resource group 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-alerts'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: take('pedns', 12)
    enabled: true
    emailReceivers: [for (email, i) in emails: {
      name: 'email-${i}'
      emailAddress: email
      useCommonAlertSchema: true
    }]
  }
}

output id string = group.id
