"""Output serializers of a vendor's scorecard and demand figures (in the vendor detail)."""

from __future__ import annotations

from rest_framework import serializers

from sources.catalogfile import EVIDENCE
from sources.scorecard import POINTS, STATE_LABELS

POINT_CHOICES = [(point.key, point.title) for point in POINTS]


class PointEvidenceSerializer(serializers.Serializer):
    method = serializers.CharField(
        allow_blank=True, help_text="The setup method's title; empty for the entry's own text."
    )
    evidence = serializers.ChoiceField(choices=EVIDENCE)
    sources = serializers.ListField(child=serializers.URLField())
    note = serializers.CharField(
        allow_blank=True, help_text="The records or the sentence the point rests on."
    )


class ScorecardPointSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=POINT_CHOICES)
    title = serializers.CharField()
    state = serializers.ChoiceField(
        choices=list(STATE_LABELS.items()),
        help_text="met, not-met, or unknown when no cited source settles it.",
    )
    label = serializers.CharField()
    summary = serializers.CharField(help_text="Why the point has this state.")
    evidence = PointEvidenceSerializer(many=True)
    action = serializers.CharField(
        allow_blank=True, help_text="What the vendor can do; empty when the point is met."
    )


class ScorecardActionSerializer(serializers.Serializer):
    text = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=[("document", "Document it"), ("improve", "Improve the product")]
    )
    point = serializers.CharField(allow_blank=True, help_text="The checklist point it serves.")


class ScorecardSerializer(serializers.Serializer):
    met = serializers.IntegerField()
    not_met = serializers.IntegerField()
    unknown = serializers.IntegerField()
    total = serializers.IntegerField()
    points = ScorecardPointSerializer(many=True)
    actions = ScorecardActionSerializer(
        many=True, help_text="What the entry lists as not documented, then what is not met."
    )


class DemandWindowSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    checks = serializers.IntegerField(help_text="Checks run for the vendor (page and API).")
    passes = serializers.IntegerField()
    pass_share = serializers.FloatField(
        allow_null=True, help_text="passes / checks, or null without checks."
    )


class TopFailureSerializer(serializers.Serializer):
    requirement = serializers.CharField(help_text="A requirement id from check reports.")
    failures = serializers.IntegerField()
    days = serializers.IntegerField()


class DemandSerializer(serializers.Serializer):
    windows = DemandWindowSerializer(many=True, help_text="The last 30 and 90 days.")
    top_failure = TopFailureSerializer(
        allow_null=True, help_text="The requirement that failed most often in 90 days."
    )
    votes = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Confirmed 'I need this' votes per checklist point.",
    )
    votes_total = serializers.IntegerField()
