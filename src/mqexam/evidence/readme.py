"""``README.txt``: how to check the bundle by hand with sha256sum and openssl alone.

Called by the export, inside the report's language. Owns the exact commands; a
test runs every line that starts with ``    $ `` in an unpacked bundle, so what
the README says is what works.
"""

from __future__ import annotations

from datetime import date

from mqexam.evidence import prior_file
from mqexam.evidence.keys import grouped
from mqexam.i18n import _, country_name, format_date

COMMAND = "    $ "
HASH_MODULE = ("cd module && export LC_ALL=C && for f in module.toml items/*.toml; "
               "do printf '%s\\0' \"$f\"; cat \"$f\"; printf '\\0'; done | sha256sum; cd ..")
VERIFY_SUMS = "sha256sum -c SHA256SUMS"
VERIFY_SIGNATURE = ("openssl pkeyutl -verify -pubin -inkey issuer.pem -rawin "
                    "-in SHA256SUMS -sigfile SHA256SUMS.sig")
FINGERPRINT = "openssl pkey -pubin -in issuer.pem -outform DER | sha256sum"


def _wrap(text: str, indent: str = "", width: int = 78) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(indent) + len(current) + 1 + len(word) > width:
            lines.append(indent + current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(indent + current)
    return lines


def readme(*, title: str, learner: str, awarding_body: str, country: str, issued: date,
           language: str, fingerprint: str, content_hash: str, attempts: list[str],
           unsigned: list[str], priors: list[str] | None = None) -> bytes:
    """The README in the current language (the report's)."""
    out: list[str] = []

    def para(text: str, indent: str = "") -> None:
        out.extend(_wrap(text, indent))
        out.append("")

    def command(text: str) -> None:
        out.append(COMMAND + text)

    heading = _("Evidence bundle: {title}").format(title=title)
    out += [heading, "=" * len(heading), ""]
    para(_("Learner: {learner}. Issued by {body} ({country}) on {date}.").format(
        learner=learner, body=awarding_body, country=country_name(country, language),
        date=format_date(issued, language)))
    if unsigned:
        para(_("WARNING: attempt(s) {ids} were NOT signed by an assessor. This bundle was "
               "exported without an assessor's sign-off and is not evidence of competence.")
             .format(ids=", ".join(unsigned)))
    para(_("Open report.html in any web browser to read the record; it needs no network and "
           "prints on paper."))
    out += [_("Files:"), ""]
    rows = [
        ("README.txt", _("this file")),
        ("report.html", _("the readable, printable report")),
        ("credential.json", _("the micro-credential record (Open Badges 3.0 shape, EU "
                              "micro-credential elements)")),
        ("attempts/", _("each attempt: every item as shown, answers, keys, scores, the "
                        "hash-chained event log ({n})").format(n=", ".join(attempts))),
        *([(prior_file.NAME, _("prior learning recognised by an assessor (RKV), not an "
                                "exam attempt: {ids}").format(ids=", ".join(priors)))]
          if priors else []),
        ("module.toml", _("the bank version the attempts used, in one file to read")),
        ("module/", _("the same bank version, file by file, as its content hash covers it")),
        ("SHA256SUMS", _("the sha256 of every other file")),
        ("SHA256SUMS.sig", _("the issuer's Ed25519 signature of SHA256SUMS")),
        ("issuer.pem", _("the issuer's public key")),
    ]
    for name, what in rows:
        wrapped = _wrap(what, " " * 20)
        out.append(f"  {name:<17} " + wrapped[0].lstrip())
        out += wrapped[1:]
    out.append("")
    heading = _("How to check this bundle by hand")
    out += [heading, "-" * len(heading), ""]
    para(_("You need sha256sum and OpenSSL 3 (on Windows, e.g. in Git Bash). Unzip the bundle "
           "into an empty folder, open a terminal in that folder and type the commands after "
           "the $ signs."))
    para(_("1. Nothing was changed: every line must end in OK."))
    command(VERIFY_SUMS)
    out.append("")
    para(_("Also check that the folder holds no file that SHA256SUMS does not name, apart from "
           "SHA256SUMS and SHA256SUMS.sig."))
    para(_("2. The list of hashes was signed with the key in issuer.pem: it must print "
           "'Signature Verified Successfully'."))
    command(VERIFY_SIGNATURE)
    out.append("")
    para(_("3. The key is the issuer's. A key inside the bundle proves only that nothing was "
           "changed after signing, not who signed: anyone can sign an altered bundle with a key "
           "of their own. This command must print the fingerprint below (without spaces), and "
           "that fingerprint must be the one {body} publishes:").format(body=awarding_body))
    command(FINGERPRINT)
    out.append("")
    out.append("    " + grouped(fingerprint))
    out.append("")
    para(_("4. The bank version is the one the attempts name: this command must print {hash} "
           "(without 'sha256:').").format(hash=content_hash))
    command(HASH_MODULE)
    out.append("")
    para(_("With mqexam installed, one command does all of this and also recomputes every "
           "attempt's event chain and its scores from the answers and the bank:"))
    out.append(f"    mqexam evidence verify BUNDLE.zip --fingerprint \"{grouped(fingerprint)}\"")
    out.append("")
    return "\n".join(out).encode()
