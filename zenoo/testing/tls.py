"""A throwaway certificate authority and server certificate for the embedded server's HTTPS."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerCertificate:
    """PEM files: the CA clients trust (``verify=ca_cert_path``) and the server's key and chain."""

    ca_cert_path: Path
    cert_chain_path: Path
    key_path: Path


def issue_certificate(directory: Path) -> ServerCertificate:
    """Create a test CA and a certificate for 127.0.0.1, ::1 and localhost under ``directory``."""
    try:
        import trustme
    except ImportError as exc:  # pragma: no cover - trustme is in the test extra
        raise RuntimeError("tls=True needs the 'trustme' package: pip install 'zenoo[test]'") from exc
    ca = trustme.CA(organization_name="zenoo embedded Odoo server test CA")
    cert = ca.issue_cert("127.0.0.1", "::1", "localhost")
    paths = ServerCertificate(
        directory / "ca.pem", directory / "server-chain.pem", directory / "server-key.pem"
    )
    ca.cert_pem.write_to_path(str(paths.ca_cert_path))
    paths.cert_chain_path.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(str(paths.key_path))
    paths.key_path.chmod(0o600)
    return paths
