"""A founder's PAdES signature added to a PDF in two steps, with the private key elsewhere (in the
founder's browser, or at a remote signing service): pyHanko's interrupted signing.

``prepare`` writes the incremental update with an empty signature field and its reserved
``/Contents``, and returns what the signer must sign: the DER of the CMS signed attributes
(whose message digest is the SHA-256 of the update's byte range). ``embed`` puts the signer's
raw RSA PKCS #1 v1.5 signature over those attributes into a CMS SignedData and writes it into
the reserved region. Nothing here touches the database: the state between the steps is the
``Prepared`` value, kept by whoever calls.

PAdES (ETSI EN 319 142-1) forbids the CMS signing-time attribute; the claimed time of signing is
the signature dictionary's ``/M``, which lies inside the signed byte range.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import cms  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko_certvalidator.registry import SimpleCertificateStore

DIGEST = "sha256"
# An RSA-2048 CMS with the person's certificate and SAT's two authorities is ~5 KB of DER: the
# placeholder holds twice that as hex, with room for a 4096-bit key and a longer chain.
RESERVED_BYTES = 32_768


@dataclass(frozen=True)
class Prepared:
    """The PDF with the update written and its signature region reserved, and what to sign."""

    pdf: bytes
    reserved_start: int
    reserved_end: int
    document_digest: bytes  # SHA-256 of the byte range (everything but the reserved region)
    signed_attributes: bytes  # DER of the CMS signed attributes: the bytes the signer signs
    signing_time: datetime  # the /M the update carries

    @property
    def to_be_signed_digest(self) -> bytes:
        """SHA-256 of the signed attributes: what a signHash service (CSC) signs."""
        return hashlib.sha256(self.signed_attributes).digest()


def _asn1(der: bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(der)


def _external_signer(
    certificate: bytes, authorities: list[bytes], value: bytes | int
) -> signers.ExternalSigner:
    return signers.ExternalSigner(
        signing_cert=_asn1(certificate),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in authorities]),
        signature_value=value,
        embed_roots=True,
    )


def byte_range_digest(pdf: bytes, reserved_start: int, reserved_end: int) -> bytes:
    """SHA-256 of ``pdf`` without the reserved region: what a PDF signature's ByteRange covers."""
    digest = hashlib.sha256(pdf[:reserved_start])
    digest.update(pdf[reserved_end:])
    return digest.digest()


def prepare(
    pdf: bytes,
    *,
    certificate: bytes,
    authorities: list[bytes],
    field_name: str,
    signer_name: str,
    reason: str,
    location: str,
    signing_time: datetime,
) -> Prepared:
    """The incremental update of ``pdf`` with the signature field ``field_name`` (invisible),
    ready for a signature made with ``certificate``'s key elsewhere."""
    external = _external_signer(certificate, authorities, 512)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        name=signer_name,
        reason=reason,
        location=location,
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    pdf_signer = signers.PdfSigner(metadata, signer=external)

    async def prepared() -> Prepared:  # pyHanko's signing session is asynchronous
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        session = pdf_signer.init_signing_session(writer)
        session.system_time = signing_time
        validation = await session.perform_presign_validation(writer)
        tbs = session.prepare_tbs_document(
            validation_info=validation, bytes_reserved=RESERVED_BYTES
        )
        output = BytesIO()
        digest, _written = tbs.digest_tbs_document(output=output)
        attributes = await external.signed_attrs(
            digest.document_digest,
            DIGEST,
            attr_settings=PdfCMSSignedAttributes(),
            use_pades=True,
        )
        return Prepared(
            pdf=output.getvalue(),
            reserved_start=digest.reserved_region_start,
            reserved_end=digest.reserved_region_end,
            document_digest=digest.document_digest,
            signed_attributes=attributes.dump(),
            signing_time=signing_time,
        )

    return asyncio.run(prepared())


def message_digest(signed_attributes: bytes) -> bytes:
    """The message-digest attribute of DER signed attributes (b"" when there is none)."""
    for attribute in cms.CMSAttributes.load(signed_attributes):
        if attribute["type"].native == "message_digest":
            value: bytes = attribute["values"][0].native
            return value
    return b""


def embed(
    prepared: Prepared, *, signature_value: bytes, certificate: bytes, authorities: list[bytes]
) -> bytes:
    """The prepared PDF with the CMS made of the signed attributes and the signer's value."""
    external = _external_signer(certificate, authorities, signature_value)
    region = PreparedByteRangeDigest(
        document_digest=prepared.document_digest,
        reserved_region_start=prepared.reserved_start,
        reserved_region_end=prepared.reserved_end,
    )

    async def embedded() -> bytes:
        signed_data = await external.async_sign_prescribed_attributes(
            DIGEST, cms.CMSAttributes.load(prepared.signed_attributes)
        )
        output = BytesIO(prepared.pdf)
        await PdfTBSDocument.async_finish_signing(output, region, signed_data)
        return output.getvalue()

    return asyncio.run(embedded())
