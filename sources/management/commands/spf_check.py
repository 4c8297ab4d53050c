import asyncio

from django.core.management.base import BaseCommand

from sources.checker.spf import check_host, parse_ip
from sources.management.checkcli import BadInput, add_resolver_arguments, resolver_factory


class Command(BaseCommand):
    help = (
        "Evaluate SPF (RFC 7208 check_host) for a client IP, envelope sender and HELO name. "
        "Prints the result word (pass, fail, softfail, neutral, none, permerror, temperror), "
        "then the explanation if any. An empty --sender checks the HELO identity."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--ip", required=True, help="The connecting client's IP address.")
        parser.add_argument(
            "--sender", required=True, metavar="ADDRESS", help="MAIL FROM; empty for bounces."
        )
        parser.add_argument("--helo", required=True, metavar="NAME", help="The HELO/EHLO name.")
        add_resolver_arguments(parser)

    def handle(self, *args, ip, sender, helo, **options):
        try:
            parse_ip(ip)
        except ValueError:
            raise BadInput(f"--ip {ip!r} is not an IP address") from None
        if not sender.strip() and not helo.strip():
            raise BadInput("with an empty --sender, --helo must name the host to check")
        resolver = resolver_factory(options)()
        result = asyncio.run(check_host(resolver, ip, None, sender, helo))
        self.stdout.write(result.result)
        explanation = result.explanation or result.reason
        if explanation:
            self.stdout.write(explanation)
