"""Credentials through azure-identity; one static token for the local emulator."""

from __future__ import annotations

import os
import time
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential

from ..settings import Settings


#: The token the emulator credential presents; tests check it never reaches a log.
TOKEN = "pedns-emulator-token-8c1f"


class EmulatorCredential:
    """A fixed bearer token for `pedns emulator`, which accepts any token (it is no security boundary).

    Chosen only by `PEDNS_CREDENTIAL=emulator`; never sent to a real Azure endpoint because that
    setting is only printed by the emulator itself.
    """

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(TOKEN, int(time.time()) + 3600)

    def close(self) -> None:
        pass


def make_credential(settings: Settings) -> TokenCredential:
    mode = settings.credential
    if mode == "emulator":
        return EmulatorCredential()
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    client_id = settings.managed_identity_client_id or None
    in_azure = bool(os.environ.get("IDENTITY_ENDPOINT") or os.environ.get("MSI_ENDPOINT"))
    if mode == "managed-identity" or (mode == "auto" and in_azure):
        return ManagedIdentityCredential(client_id=client_id)
    return DefaultAzureCredential(managed_identity_client_id=client_id)
