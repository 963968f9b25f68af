"""The sweep's world: the demo street (objects of every kind, staff of every role) plus an away organisation
serving another community with a twin of every persona, for whom every demo object is out of scope."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    HouseholdFactory,
    OrganisationFactory,
    PersonFactory,
    Role,
    UnitFactory,
    UserFactory,
    grant,
)

# The demo's printed logins, by persona.
HOME_USERNAMES = {
    "resident": "jumin", "secretary": "mishu", "medic": "yiwu", "counsellor": "xinli",
    "community_worker": "shequ", "building_steward": "loudong", "social_worker": "shegong", "org_admin": "admin",
}
# Personas that hold a scope: each has an away twin (same role, another organisation and community).
SCOPED = list(HOME_USERNAMES)
# Everybody the sweep logs in as ("outsider": a community worker of another organisation and community;
# "stranger": an account with no role and no household).
PERSONAS = ["anonymous", "stranger", "outsider", *SCOPED, "superuser"]


@dataclass
class World:
    users: dict[str, object] = field(default_factory=dict)        # persona → user (home)
    away_users: dict[str, object] = field(default_factory=dict)   # persona → user (away twin)
    sessions: dict[str, str] = field(default_factory=dict)        # "persona" or "away:persona" → session key
    o: SimpleNamespace = field(default_factory=SimpleNamespace)   # in-scope objects of every kind
    tokens: dict[str, str] = field(default_factory=dict)          # plaintext tokens of link URLs

    def client(self, who: str, **kwargs) -> Client:
        """A client carrying `who`'s session (a fresh one per request, so a logout cannot leak)."""
        client = Client(**kwargs)
        key = self.sessions.get(who)
        if key:
            client.cookies[settings.SESSION_COOKIE_NAME] = key
        return client


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_world() -> World:
    """Load the demo and add what it lacks; must run with database access."""
    from sanshe.accounts.models import Membership, Organisation, User
    from tests.conftest import clear_for_duty

    call_command("demo", people=120, no_progress=True, no_logins=True)
    w = World()
    for persona, username in HOME_USERNAMES.items():
        w.users[persona] = User.objects.get(username=username)
    w.users["stranger"] = UserFactory(username="sweep_stranger", display_name="无关用户")
    w.users["superuser"] = UserFactory(username="sweep_root", display_name="平台管理员", is_superuser=True,
                                       is_staff=True)

    # The away organisation and community, and a twin of every scoped persona there.
    away_org = OrganisationFactory(name="外区社工机构")
    away = CommunityFactory(name="外区社区")
    away_org.communities.add(away)
    away_building = BuildingFactory(compound=CompoundFactory(community=away, name="外区小区"), community=away)
    away_household = HouseholdFactory(unit=UnitFactory(building=away_building))
    staff = {"social_worker": (Role.SOCIAL_WORKER, dict(communities=[away])),
             "community_worker": (Role.COMMUNITY_WORKER, dict(communities=[away], worker_kind="community_staff")),
             "building_steward": (Role.COMMUNITY_WORKER, dict(buildings=[away_building],
                                                              worker_kind="building_steward")),
             "org_admin": (Role.ORG_ADMIN, {})}
    for persona, (role, extra) in staff.items():
        # The away organisation's admin may use the Django admin too (is_staff), scoped to its own rows.
        user = UserFactory(username=f"away_{persona}", is_staff=persona == "org_admin")
        grant(user, away_org, role, **extra)
        w.away_users[persona] = user
    for persona, role in (("secretary", Role.GENERAL_VOLUNTEER), ("medic", Role.MEDICAL_VOLUNTEER),
                          ("counsellor", Role.COUNSELLOR)):
        user = UserFactory(username=f"away_{persona}")
        grant(user, away_org, role)
        w.away_users[persona] = clear_for_duty(user, away_org, role)
    away_resident = UserFactory(username="away_resident")
    PersonFactory(household=away_household, name="外区居民", user=away_resident)
    w.away_users["resident"] = away_resident
    outsider = UserFactory(username="sweep_outsider")
    grant(outsider, away_org, Role.COMMUNITY_WORKER, communities=[away], worker_kind="community_staff")
    w.users["outsider"] = outsider

    _objects(w)
    for persona, user in w.users.items():
        w.sessions[persona] = _session(user)
    for persona, user in w.away_users.items():
        w.sessions[f"away:{persona}"] = _session(user)
    w.o.away = SimpleNamespace(org=away_org, community=away, building=away_building, household=away_household)
    assert Membership.objects.exists() and Organisation.objects.count() >= 6
    return w


def _objects(w: World) -> None:
    """Pick (or make) one in-scope object of every kind the URLs take."""
    from sanshe.accounts.models import ApiToken, Membership
    from sanshe.accounts.services import api_token_create
    from sanshe.assessments.models import Administration, TriageDecision
    from sanshe.cases.models import Case, CaseAssignment, CaseFollowUp, Referral
    from sanshe.crisis.models import CrisisResponse
    from sanshe.groups import services as group_services
    from sanshe.groups.models import (
        ChatImage,
        Group,
        GroupMember,
        Invite,
        ManualDuty,
        Message,
        PrivateThread,
        RecordRequest,
        RiskAlert,
    )
    from sanshe.knowledge.models import Category, DuplicateFlag, Entry
    from sanshe.monitoring.models import Alert, FollowUp, QuarantinePeriod, ScreeningRound
    from sanshe.people.models import ImportJob
    from sanshe.places.models import Community
    from sanshe.records.models import DailySummary, DailySummaryRow, ServiceRecord
    from sanshe.rosters.models import Assignment, Shift, ShiftNeed, ShiftTemplate
    from sanshe.volunteers.models import (
        AgreementSignature,
        Certificate,
        Recruitment,
        TrainingModule,
        VolunteerApplication,
    )

    o = w.o
    u = w.users
    resident = u["resident"]
    o.person = resident.person
    o.household = o.person.household
    o.building = o.household.building
    o.compound = o.household.compound
    o.unit = o.household.unit
    o.community = Community.objects.get(pk=o.household.community_id)
    o.membership = Membership.objects.filter(user__username="shegong2").first()
    o.user = o.membership.user
    o.group = Group.objects.filter(tier=2, community=o.community).order_by("pk").first()
    o.key_group = Group.objects.filter(tier=3).order_by("pk").first()
    o.member = GroupMember.objects.filter(group=o.group, role="client").first()
    o.message = Message.objects.filter(group=o.group, thread__isnull=True).order_by("pk").first()
    o.invite = Invite.objects.filter(group__in=[o.group, o.key_group]).first()
    o.duty = ManualDuty.objects.filter(group=o.group, ends_at__gt=timezone.now()).order_by("starts_at").first()
    o.risk_alert = RiskAlert.objects.order_by("pk").first()
    o.record_request = RecordRequest.objects.order_by("pk").first()
    client_user = o.member.user
    helper = u["counsellor"]
    if not GroupMember.objects.filter(group=o.group, user=helper).exists():
        helper = GroupMember.objects.filter(group=o.group, role="psychological").first().user
    o.thread = PrivateThread.objects.create(group=o.group, client=client_user, helper=helper, kind="psychological")
    group_services.message_send(actor=client_user, group=o.group, thread=o.thread, body="私聊：最近睡不好")
    admin_member = GroupMember.objects.filter(group=o.group, role__in=["admin", "social_worker"]).first()
    uploader = admin_member.user if admin_member else client_user
    o.image = group_services.image_upload(actor=uploader, group=o.group, data=_png(), filename="a.png")
    assert ChatImage.objects.filter(pk=o.image.pk).exists()

    o.application = VolunteerApplication.objects.order_by("pk").first()
    o.certificate = Certificate.objects.order_by("pk").first()
    o.signature = AgreementSignature.objects.order_by("pk").first()
    o.recruitment = Recruitment.objects.order_by("pk").first()
    o.training = TrainingModule.objects.order_by("pk").first()
    o.vol_org = o.recruitment.organisation

    o.shift = Shift.objects.filter(group=o.group).order_by("starts_at").last() or Shift.objects.last()
    o.need = ShiftNeed.objects.filter(shift=o.shift).first()
    o.assignment = Assignment.objects.order_by("pk").last()
    o.template = ShiftTemplate.objects.order_by("pk").first()
    o.roster_group = o.template.group if o.template else o.group

    o.follow_up = FollowUp.objects.order_by("pk").last()
    o.period = QuarantinePeriod.objects.order_by("pk").first()
    o.alert = Alert.objects.order_by("pk").first()
    o.round = ScreeningRound.objects.order_by("pk").first()

    o.referral = Referral.objects.order_by("pk").first()
    o.case = Case.objects.filter(owner=u["social_worker"]).order_by("pk").first() or Case.objects.first()
    o.case_followup = CaseFollowUp.objects.filter(case=o.case).first() or CaseFollowUp.objects.first()
    o.case_assignment = CaseAssignment.objects.first()
    o.administration = Administration.objects.order_by("pk").first()
    o.decision = TriageDecision.objects.order_by("pk").first()
    o.crisis = CrisisResponse.objects.order_by("pk").first()
    from sanshe.core.notify.services import notify_send

    o.notification = notify_send(recipients=[u["social_worker"]], kind="sweep", title="扫描测试", url="/")[0]

    o.record = ServiceRecord.objects.order_by("pk").first()
    o.summary = DailySummary.objects.order_by("pk").first()
    o.summary_row = DailySummaryRow.objects.filter(summary=o.summary).first()

    o.entry = Entry.objects.filter(status="published").order_by("pk").first()
    o.other_entry = Entry.objects.filter(status="published").order_by("pk")[1]
    o.category = Category.objects.order_by("pk").first()
    o.flag = DuplicateFlag.objects.order_by("pk").first()

    o.import_job = ImportJob.objects.create(community=o.community, created_by=u["community_worker"],
                                            file_name="名单.xlsx", status="failed")
    token, plaintext = api_token_create(actor=u["social_worker"], name="扫描测试")
    o.token = token
    w.tokens["api"] = plaintext
    assert ApiToken.objects.filter(pk=token.pk).exists()
    from sanshe.records.services import referral_out_create
    from sanshe.rosters.services import feed_create

    o.referral_out = referral_out_create(actor=u["social_worker"], person_id=o.person.pk, kind="hospital",
                                         institution="江汉区人民医院", contact="027-85000000",
                                         reason="持续发热，需要到医院进一步检查")
    w.tokens["ical"] = feed_create(actor=u["medic"])
    o.today = timezone.localdate()
    o.yesterday = o.today - timedelta(days=1)
