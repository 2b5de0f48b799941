"""Evidence bundles: a signed, self-verifying zip an authority can read and check.

Called by the ``mqexam evidence`` and ``mqexam keys`` commands and the benchmark.
Each module has one job: :mod:`keys` (the issuer's Ed25519 key), :mod:`gather`
(reading and refusing attempts through the store), :mod:`attempt_file`
(``attempts/<id>.json``), :mod:`prior_file` (``prior_learning.json``), :mod:`outcomes`
(results per outcome for the credential's country, stacked by the bonus plan),
:mod:`credential` (``credential.json``), :mod:`report_html` (``report.html``),
:mod:`readme` (``README.txt``), :mod:`modulefile` (``module.toml`` and ``module/``),
:mod:`bundle` (hash list, signature, reproducible zip bytes), :mod:`export`
(putting them together), :mod:`zipsafe` (reading an untrusted zip) and
:mod:`verify` (checking a bundle). No Textual here and no SQL: the store is read
through its methods. The layout is the contract in DESIGN.md; see docs/evidence.md.
"""

BUNDLE_FORMAT = 2
"""Bumped whenever a verifier would need to read a bundle differently (2: results stacked
per target country by the bonus plan; ``prior_learning.json``)."""
