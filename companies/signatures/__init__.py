"""Advanced electronic signatures (e.firma): what a SAT certificate says, whether a founder's
signature can be trusted, and SAT's answer on the certificate's status (OCSP over X-Road).

``verification.verify`` is the way in: it refuses with a ``refusals.SignatureRefused`` that says
what to do, or raises ``refusals.SignatureWaits`` when SAT could not answer.
"""
