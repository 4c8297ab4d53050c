"""SPF (RFC 7208) for the checker: parsing, evaluation and the include tree.

The public names live here; the work is split by responsibility:
`spf_syntax` (the grammar, no DNS), `spf_eval` (check_host) and `spf_tree`
(diagnostics of a domain's record and everything it includes).
"""

from .spf_eval import (
    MAX_LOOKUP_TERMS,
    MAX_VOID_LOOKUPS,
    SPFResult,
    check_host,
    check_mail_from,
    parse_ip,
    split_sender,
)
from .spf_macros import domain_problem
from .spf_syntax import (
    Macro,
    Mechanism,
    Modifier,
    SPFRecord,
    SPFSyntaxError,
    is_spf_record,
    parse_domain_spec,
    parse_macro_string,
    parse_record,
)
from .spf_tree import SPFIssue, SPFNode, SPFTree, spf_authorises, spf_tree

__all__ = [
    "MAX_LOOKUP_TERMS",
    "MAX_VOID_LOOKUPS",
    "Macro",
    "Mechanism",
    "Modifier",
    "SPFRecord",
    "SPFIssue",
    "SPFNode",
    "SPFResult",
    "SPFSyntaxError",
    "SPFTree",
    "check_host",
    "check_mail_from",
    "domain_problem",
    "is_spf_record",
    "parse_domain_spec",
    "parse_ip",
    "parse_macro_string",
    "parse_record",
    "split_sender",
    "spf_authorises",
    "spf_tree",
]
