"""Small helpers shared by the checker tests of domains, DMARC, DKIM and checks."""

from tests.dnsserver import DNSServer


def serve_everything(server: DNSServer) -> None:
    """Make the test server authoritative for the whole namespace (NXDOMAIN for the rest).

    The root gets an explicit SOA so negative answers carry one.
    """
    server.add_records(
        {
            ".": [
                ("SOA", "ns.root-servers.test. hostmaster.root-servers.test. 1 3600 600 86400 300")
            ]
        },
        origin=".",
    )


# Public keys generated with openssl for these tests (base64 DER).
RSA_512_SPKI = (
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMMmTrdbTQiFqI8ysQVzLX0urh8T6xdtGkxtw59Gp3Gp"
    "yazOtIuabacNwYKTLaePV2yYpJZcZpOGM8QfGPMvuaMCAwEAAQ=="
)
RSA_2048_SPKI = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjpydcKaq0wyGl40IcYN5vL9VtYoBxiHS"
    "keqWRb9r2Ctq21yy/VI5VNYUJeZmrbzinGTpFk6LlH42+cO8NvDa9E1vPhN4ht4t0NWafnIeWtJt"
    "xCgRAKqCxa2X0yEkyb9PeywpkuV3bRpNWfxGvVZVFztOY5eIFJyrlViz5zYY0o3MPkssMAGgq1g3"
    "EH2H98biK5hwmRsLFQ+hCWdGx1FspUPjxjgfYt5R4z10QNzOA7LeLy0Brx6/B0Lpz/z8n4u85fKr"
    "/W5yfxpi1hJPp5gvRzjeLOpUFQ+PlAzDPar8dhFJ70HWHerR//DqaB4RdSwYmeniKBvBH7iGSscV"
    "kJntnwIDAQAB"
)
RSA_2048_PKCS1 = (
    "MIIBCgKCAQEAjpydcKaq0wyGl40IcYN5vL9VtYoBxiHSkeqWRb9r2Ctq21yy/VI5VNYUJeZmrbzi"
    "nGTpFk6LlH42+cO8NvDa9E1vPhN4ht4t0NWafnIeWtJtxCgRAKqCxa2X0yEkyb9PeywpkuV3bRpN"
    "WfxGvVZVFztOY5eIFJyrlViz5zYY0o3MPkssMAGgq1g3EH2H98biK5hwmRsLFQ+hCWdGx1FspUPj"
    "xjgfYt5R4z10QNzOA7LeLy0Brx6/B0Lpz/z8n4u85fKr/W5yfxpi1hJPp5gvRzjeLOpUFQ+PlAzD"
    "Par8dhFJ70HWHerR//DqaB4RdSwYmeniKBvBH7iGSscVkJntnwIDAQAB"
)


# A catalog-shaped vendor (sources/catalog/FORMAT.md) matching tests/zones/postlark.test.zone.
POSTLARK = {
    "slug": "postlark",
    "name": "PostLark",
    "methods": [
        {
            "kind": "cname-delegation",
            "title": "Domain authentication with CNAME records",
            "recommended": True,
            "order": 1,
            "parameters": [
                {"name": "account_id", "label": "Account number", "pattern": "^[0-9]{1,10}$"},
            ],
            "records": [
                {
                    "id": "dkim-s1",
                    "type": "CNAME",
                    "host": "s1._domainkey.{domain}",
                    "value": "s1.domainkey.u{account_id}.postlark.test",
                    "check": "dkim-key",
                    "purpose": "dkim",
                    "selector": "s1",
                    "required": True,
                },
                {
                    "id": "dkim-s2",
                    "type": "CNAME",
                    "host": "s2._domainkey.{domain}",
                    "value": "s2.domainkey.u{account_id}.postlark.test",
                    "check": "dkim-key",
                    "purpose": "dkim",
                    "selector": "s2",
                    "required": True,
                },
                {
                    "id": "return-path",
                    "type": "CNAME",
                    "host": "bounces.{domain}",
                    "value": "u{account_id}.bounces.postlark.test",
                    "pattern": "^u[0-9]+\\.bounces\\.postlark\\.test$",
                    "check": "equals",
                    "purpose": "return-path",
                    "required": True,
                },
                {
                    "id": "tracking",
                    "type": "CNAME",
                    "host": "links.{domain}",
                    "value": "track.postlark.test",
                    "check": "equals",
                    "purpose": "tracking",
                    "required": False,
                },
            ],
        },
        {
            "kind": "spf-include",
            "title": "Include PostLark in your SPF record",
            "recommended": False,
            "order": 2,
            "records": [
                {
                    "id": "spf",
                    "type": "TXT",
                    "host": "{domain}",
                    "value": "include:_spf.postlark.test",
                    "check": "spf-include",
                    "purpose": "spf",
                    "required": True,
                }
            ],
        },
        {
            "kind": "subdomain-ns",
            "title": "Delegate a subdomain to PostLark",
            "recommended": False,
            "order": 3,
            "records": [
                {
                    "id": f"ns{index}",
                    "type": "NS",
                    "host": "email.{domain}",
                    "value": f"ns{index}.postlark.test",
                    "check": "equals",
                    "purpose": "delegation",
                    "required": True,
                }
                for index in (1, 2)
            ],
        },
        {"kind": "smtp-relay", "title": "Relay through your own server", "order": 4},
    ],
}
