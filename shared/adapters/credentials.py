"""Credentials through azure-identity; one static token for the local emulator."""

from __future__ import annotations

import os
import time
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential

from ..errors import ConfigError
from ..settings import Settings, dev_only_problems


#: The token the emulator credential presents; tests check it never reaches a log.
TOKEN = "pedns-emulator-token-8c1f"


class EmulatorCredential:
    """A fixed bearer token for `pedns emulator`, which accepts any token on its ARM routes (it is no
    security boundary) and lets this one publish to its Event Grid topics (EventGrid Data Sender).

    Chosen only by `PEDNS_CREDENTIAL=emulator`, which the settings refuse in Azure and with a real ARM
    endpoint; `make_credential` checks that again, so settings built without `Settings.from_env` do
    not get it to Azure either.
    """

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(TOKEN, int(time.time()) + 3600)

    def close(self) -> None:
        pass


def make_credential(settings: Settings) -> TokenCredential:
    mode = settings.credential
    if mode == "emulator":
        problems = dev_only_problems(cloud=settings.cloud, arm_endpoint=settings.arm_endpoint, credential=mode,
                                     index_connection_string="", environ=os.environ)
        if problems:
            raise ConfigError("invalid settings: " + "; ".join(problems))
        return EmulatorCredential()
    # azure-identity only here: the emulator's credential needs none of it, and it is the heaviest import
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    client_id = settings.managed_identity_client_id or None
    in_azure = bool(os.environ.get("IDENTITY_ENDPOINT") or os.environ.get("MSI_ENDPOINT"))
    if mode == "managed-identity" or (mode == "auto" and in_azure):
        return ManagedIdentityCredential(client_id=client_id)
    return DefaultAzureCredential(managed_identity_client_id=client_id)
