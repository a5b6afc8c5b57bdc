"""Who hears of what the doors did, after the DNS work: metrics and the app teams' notifications."""
