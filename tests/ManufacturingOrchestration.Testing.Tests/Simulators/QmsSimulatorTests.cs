using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StateMachines;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

public sealed class QmsSimulatorTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;
    private static readonly NonconformanceId s_nc = new("NC-1");

    private static QmsSimulator CreateSut(NonconformanceStatus status)
    {
        var qms = new QmsSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider() });
        qms.AddNonconformance(new Nonconformance { Id = s_nc, Problem = "Capacitance out of tolerance", Site = Plant, Lots = [Lot], Status = status });
        return qms;
    }

    private static RecordDispositionRequest UseAsIs(string? justification, ActorId? authorizer) => new()
    {
        Context = Context(),
        Nonconformance = s_nc,
        Line = new MrbDispositionLine { Disposition = MrbDisposition.UseAsIs, Lot = Lot, Quantity = Ea(10), Justification = justification, Authorizer = authorizer },
    };

    [Theory]
    [InlineData(NonconformanceStatus.New)]
    [InlineData(NonconformanceStatus.UnderReview)]
    [InlineData(NonconformanceStatus.Refused)]
    public async Task RecordCorrectionAsync_NotApproved_IsRefused(NonconformanceStatus status)
    {
        var qms = CreateSut(status);

        var result = await qms.RecordCorrectionAsync(new RecordCorrectionRequest { Context = Context(), Nonconformance = s_nc, Description = "Sorted stock" }, s_ct);

        result.Reason.Should().Be(ReasonCodes.NonconformanceNotApproved);
        qms.CorrectionsOf(s_nc).Should().BeEmpty();
    }

    [Fact]
    public async Task RecordCorrectionAsync_AfterApproval_IsRecorded()
    {
        var qms = CreateSut(NonconformanceStatus.UnderReview);

        var approval = await qms.UpdateNonconformanceStatusAsync(new UpdateNonconformanceStatusRequest { Context = Context(), Nonconformance = s_nc, Status = NonconformanceStatus.Approved }, s_ct);
        var result = await qms.RecordCorrectionAsync(new RecordCorrectionRequest { Context = Context(), Nonconformance = s_nc, Description = "Sorted stock" }, s_ct);

        approval.IsSuccess.Should().BeTrue();
        result.IsSuccess.Should().BeTrue();
        qms.CorrectionsOf(s_nc).Should().Equal("Sorted stock");
    }

    [Fact]
    public async Task RecordDispositionAsync_UseAsIsWithoutJustification_IsRefused()
    {
        var qms = CreateSut(NonconformanceStatus.Approved);

        var result = await qms.RecordDispositionAsync(UseAsIs(justification: null, authorizer: new ActorId("mrb.chair")), s_ct);

        result.Reason.Should().Be(ReasonCodes.JustificationRequired);
    }

    [Fact]
    public async Task RecordDispositionAsync_UseAsIsWithoutAuthorizer_IsRefused()
    {
        var qms = CreateSut(NonconformanceStatus.Approved);

        var result = await qms.RecordDispositionAsync(UseAsIs(justification: "Within design margin per ECN-12", authorizer: null), s_ct);

        result.Reason.Should().Be(ReasonCodes.AuthorizerRequired);
    }

    [Fact]
    public async Task RecordDispositionAsync_UseAsIsJustifiedAndAuthorized_IsRecorded()
    {
        var qms = CreateSut(NonconformanceStatus.Approved);

        var result = await qms.RecordDispositionAsync(UseAsIs("Within design margin per ECN-12", new ActorId("mrb.chair")), s_ct);

        result.IsSuccess.Should().BeTrue();
        var nc = qms.GetNonconformance(s_nc)!;
        nc.Status.Should().Be(NonconformanceStatus.Dispositioned);
        nc.Dispositions.Should().ContainSingle().Which.Disposition.Should().Be(MrbDisposition.UseAsIs);
    }

    [Fact]
    public async Task RecordDispositionAsync_UseAsIsSignedOnlyByAnOperatorsRejection_IsRefusedAsTheMachineRefusesIt()
    {
        var qms = CreateSut(NonconformanceStatus.Approved);
        var rejection = new ElectronicSignature { Signer = new ActorId("op-otto"), Role = Role.Operator, Meaning = SignatureMeaning.Reject, SignedAt = DateTimeOffset.UnixEpoch, Reason = "Not acceptable", Justification = "Out of tolerance" };

        var result = await qms.RecordDispositionAsync(Signed(rejection, justification: null), s_ct);

        result.Reason.Should().Be(ReasonCodes.SignatureNotAuthorizing);
        qms.GetNonconformance(s_nc)!.Dispositions.Should().BeEmpty();
    }

    [Theory]
    [InlineData("quality-manager", false, true)]
    [InlineData("design-authority", false, false)]
    [InlineData("design-authority", true, true)]
    [InlineData("operator", true, false)]
    public async Task RecordDispositionAsync_UseAsIsApproveSignature_IsRecordedOnlyInARoleAllowedToAuthorizeDeviationsAtTheSite(string role, bool aerospace, bool recorded)
    {
        var qms = CreateSut(NonconformanceStatus.Approved);
        qms.AddSite(new SiteProfile { Id = Plant, Industry = aerospace ? IndustryProfile.Aerospace : IndustryProfile.General });
        var approval = new ElectronicSignature { Signer = new ActorId("signer-sam"), Role = new Role(role), Meaning = SignatureMeaning.Approve, SignedAt = DateTimeOffset.UnixEpoch, Reason = "Concession", Justification = "Within design margin per ECN-12" };

        var result = await qms.RecordDispositionAsync(Signed(approval, justification: null), s_ct);

        result.IsSuccess.Should().Be(recorded);
        if (!recorded)
        {
            result.Reason.Should().Be(ReasonCodes.SignatureNotAuthorizing);
        }
    }

    private static RecordDispositionRequest Signed(ElectronicSignature signature, string? justification) => new()
    {
        Context = Context(),
        Nonconformance = s_nc,
        Line = new MrbDispositionLine { Disposition = MrbDisposition.UseAsIs, Lot = Lot, Quantity = Ea(10), Justification = justification, Signature = signature },
    };

    [Fact]
    public async Task RecordDispositionAsync_ScrapOnUnapproved_IsRefused()
    {
        var qms = CreateSut(NonconformanceStatus.New);

        var result = await qms.RecordDispositionAsync(new RecordDispositionRequest
        {
            Context = Context(),
            Nonconformance = s_nc,
            Line = new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = Lot, Quantity = Ea(10) },
        }, s_ct);

        result.Reason.Should().Be(ReasonCodes.NonconformanceNotApproved);
    }

    [Fact]
    public async Task UpdateNonconformanceStatusAsync_NewToClosed_IsRefused()
    {
        var qms = CreateSut(NonconformanceStatus.New);

        var result = await qms.UpdateNonconformanceStatusAsync(new UpdateNonconformanceStatusRequest { Context = Context(), Nonconformance = s_nc, Status = NonconformanceStatus.Closed }, s_ct);

        result.Reason.Should().Be(ReasonCodes.TransitionNotPermitted);
    }

    [Fact]
    public async Task RecordDispositionAsync_AerospaceRepairWithoutTheDesignAuthority_IsRefusedAsTheMachineRefusesIt()
    {
        var qms = CreateSut(NonconformanceStatus.Approved);
        qms.AddSite(new SiteProfile { Id = Plant, Industry = IndustryProfile.Aerospace });

        var result = await qms.RecordDispositionAsync(new RecordDispositionRequest
        {
            Context = Context(),
            Nonconformance = s_nc,
            Line = new MrbDispositionLine { Disposition = MrbDisposition.Repair, Lot = Lot, Quantity = Ea(10) },
        }, s_ct);

        result.Reason.Should().Be(ReasonCodes.DesignAuthorityRequired);
        qms.GetNonconformance(s_nc)!.Status.Should().Be(NonconformanceStatus.Approved);
    }

    [Fact]
    public async Task UpdateNonconformanceStatusAsync_NewToApprovedWithoutReview_IsRefusedAsTheMachineRefusesIt()
    {
        var qms = CreateSut(NonconformanceStatus.New);

        var result = await qms.UpdateNonconformanceStatusAsync(new UpdateNonconformanceStatusRequest { Context = Context(), Nonconformance = s_nc, Status = NonconformanceStatus.Approved }, s_ct);

        result.Reason.Should().Be(ReasonCodes.TransitionNotPermitted);
        qms.GetNonconformance(s_nc)!.Status.Should().Be(NonconformanceStatus.New);
    }

    [Fact]
    public async Task UpdateNonconformanceStatusAsync_RefusedNcReopened_GoesBackUnderReview()
    {
        var qms = CreateSut(NonconformanceStatus.Refused);

        var result = await qms.UpdateNonconformanceStatusAsync(new UpdateNonconformanceStatusRequest { Context = Context(), Nonconformance = s_nc, Status = NonconformanceStatus.UnderReview }, s_ct);

        result.IsSuccess.Should().BeTrue(result.Message);
        qms.GetNonconformance(s_nc)!.Status.Should().Be(NonconformanceStatus.UnderReview);
    }

    [Fact]
    public async Task UpdateNonconformanceStatusAsync_ReviewedThenApproved_AcceptsEachStepOfTheLifecycle()
    {
        var qms = CreateSut(NonconformanceStatus.New);

        foreach (var status in new[] { NonconformanceStatus.UnderReview, NonconformanceStatus.Approved })
        {
            var result = await qms.UpdateNonconformanceStatusAsync(new UpdateNonconformanceStatusRequest { Context = Context(), Nonconformance = s_nc, Status = status }, s_ct);
            result.IsSuccess.Should().BeTrue(result.Message);
        }

        qms.GetNonconformance(s_nc)!.Status.Should().Be(NonconformanceStatus.Approved);
    }

    [Fact]
    public async Task OpenSupplierCaseAsync_WithEvidence_KeepsEvidenceAndRaisesEscalations()
    {
        var qms = CreateSut(NonconformanceStatus.New);
        qms.AddSupplierHistory(new SupplierQualityHistory { Supplier = Supplier, WindowStart = default, WindowEnd = default, Inspections = 20, Failures = 2 });
        var evidence = new EvidenceReference { Location = new Uri("https://files.example/cap-lot-4711.jpg"), MediaType = "image/jpeg" };

        var result = await qms.OpenSupplierCaseAsync(new OpenSupplierCaseRequest { Context = Context(), Supplier = Supplier, Problem = "Capacitance low", Lots = [Lot], Evidence = [evidence] }, s_ct);
        var history = await qms.GetSupplierQualityHistoryAsync(Supplier, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(90), s_ct);

        result.ExternalReference.Should().StartWith("SCAR-");
        qms.SupplierCases.Should().ContainSingle().Which.Evidence.Should().ContainSingle().Which.Should().Be(evidence);
        history!.Escalations.Should().Be(1);
        history.WindowEnd.Should().Be(DateTimeOffset.UnixEpoch.AddDays(90));
    }

    [Fact]
    public async Task OpenSupplierCaseAsync_Scar_IsACorrectiveActionIssuedThatAdvancesOnlyThroughTheMachine()
    {
        var qms = CreateSut(NonconformanceStatus.New);
        var engineer = new ActorId("sqe-sam");

        var opened = await qms.OpenSupplierCaseAsync(new OpenSupplierCaseRequest { Context = Context(), Supplier = Supplier, Problem = "Capacitance low", Lots = [Lot], Nonconformances = [s_nc] }, s_ct);
        var id = new CorrectiveActionId(opened.ExternalReference!);
        var scar = qms.GetCorrectiveAction(id);

        scar.Should().NotBeNull();
        scar!.Kind.Should().Be(CorrectiveActionKind.Scar);
        scar.Stage.Should().Be(CorrectiveActionStage.Issued);
        scar.Supplier.Should().Be(Supplier);
        scar.Lots.Should().Equal(Lot);
        scar.Nonconformances.Should().Equal(s_nc);

        qms.FireCorrectiveAction(id, CorrectiveActionTrigger.Advance, CorrectiveActionTriggerArgs.None).GetValueOrThrow().Stage.Should().Be(CorrectiveActionStage.Containment);
        qms.FireCorrectiveAction(id, CorrectiveActionTrigger.AddActivity, new CorrectiveActionTriggerArgs { ActivityName = "Quarantine stock in transit", IsMandatory = true }).IsAccepted.Should().BeTrue();

        var held = qms.FireCorrectiveAction(id, CorrectiveActionTrigger.Advance, CorrectiveActionTriggerArgs.None);
        var backward = qms.MoveCorrectiveAction(id, CorrectiveActionStage.Issued);
        var skipped = qms.MoveCorrectiveAction(id, CorrectiveActionStage.CorrectiveAction);

        held.Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionMandatoryActivityOpen);
        held.Rejection.Message.Should().Contain("Quarantine stock in transit");
        backward.Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionStageBackward);
        skipped.Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionStageSkipped);
        qms.GetCorrectiveAction(id)!.Stage.Should().Be(CorrectiveActionStage.Containment, "a refused change leaves the case as it was");

        qms.FireCorrectiveAction(id, CorrectiveActionTrigger.CloseActivity, new CorrectiveActionTriggerArgs { ActivityName = "Quarantine stock in transit", Actor = engineer }).IsAccepted.Should().BeTrue();
        foreach (var stage in new[] { CorrectiveActionStage.RootCause, CorrectiveActionStage.CorrectiveAction, CorrectiveActionStage.Verification, CorrectiveActionStage.Closed })
        {
            qms.MoveCorrectiveAction(id, stage).GetValueOrThrow().Stage.Should().Be(stage);
        }

        var closed = qms.GetCorrectiveAction(id)!;
        closed.Stage.Should().Be(CorrectiveActionStage.Closed);
        closed.Activities.Should().ContainSingle().Which.ClosedBy.Should().Be(engineer);
        qms.FireCorrectiveAction(id, CorrectiveActionTrigger.Advance, CorrectiveActionTriggerArgs.None).Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionClosed);
    }

    [Theory]
    [InlineData(CorrectiveActionKind.EightD, CorrectiveActionStage.D0)]
    [InlineData(CorrectiveActionKind.Capa, CorrectiveActionStage.Identify)]
    public async Task OpenSupplierCaseAsync_OtherKinds_StartInTheirFirstStage(CorrectiveActionKind kind, CorrectiveActionStage first)
    {
        var qms = CreateSut(NonconformanceStatus.New);

        var opened = await qms.OpenSupplierCaseAsync(new OpenSupplierCaseRequest { Context = Context(), Supplier = Supplier, Problem = "Capacitance low", CaseKind = kind }, s_ct);

        var action = qms.GetCorrectiveAction(new CorrectiveActionId(opened.ExternalReference!))!;
        action.Kind.Should().Be(kind);
        action.Stage.Should().Be(first);
    }

    [Fact]
    public void FireCorrectiveAction_UnknownId_IsRefusedAsUnknownReference()
    {
        var qms = CreateSut(NonconformanceStatus.New);

        var result = qms.FireCorrectiveAction(new CorrectiveActionId("SCAR-404"), CorrectiveActionTrigger.Advance, CorrectiveActionTriggerArgs.None);

        result.Rejection!.ReasonCode.Should().Be(ReasonCodes.ReferenceUnknown);
    }

    [Fact]
    public async Task OpenNonconformanceAsync_ExistingId_IsRefusedAsDuplicate()
    {
        var qms = CreateSut(NonconformanceStatus.New);

        var result = await qms.OpenNonconformanceAsync(new OpenNonconformanceRequest { Context = Context(), Id = s_nc, Problem = "Again", Site = Plant }, s_ct);

        result.Reason.Should().Be(ReasonCodes.Duplicate);
    }

    [Fact]
    public async Task GetCertificatesOfAnalysis_ThroughThePlantAdapters_ReturnsTheLotsCertificatesOnceEach()
    {
        using var plant = new PlantSimulator();
        var first = new CertificateOfAnalysis { Lot = Lot, Document = new EvidenceReference { Location = new Uri("https://files.example/coa/lot-4711-a.pdf") } };
        var second = new CertificateOfAnalysis { Lot = Lot, Document = new EvidenceReference { Location = new Uri("https://files.example/coa/lot-4711-b.pdf") } };
        plant.AddCertificateOfAnalysis(first).AddCertificateOfAnalysis(second).AddCertificateOfAnalysis(first);

        var onFile = await plant.Adapters.QueryAsync(new GetCertificatesOfAnalysisQuery(Lot), Plant, s_ct);
        var none = await plant.Adapters.QueryAsync(new GetCertificatesOfAnalysisQuery(new LotId("LOT-0815")), Plant, s_ct);

        onFile.Should().Equal(first, second);
        none.Should().BeEmpty();
        plant.Adapters.Supports(QueryKinds.QmsGetCertificatesOfAnalysis, Plant).Should().BeTrue();
    }
}
