using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.StateMachines.Tests.Quality;

public sealed class NonconformanceMachineTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private static readonly SiteProfile General = new() { Id = new SiteId("PLANT-1") };
    private static readonly SiteProfile Aerospace = new() { Id = new SiteId("PLANT-2"), Industry = IndustryProfile.Aerospace };

    private static Nonconformance CreateNcr(NonconformanceStatus status) => new()
    {
        Id = new NonconformanceId("NC-1"),
        Problem = "Capacitance out of tolerance",
        Site = General.Id,
        Status = status,
        Lots = [new LotId("LOT-1")],
    };

    private static MrbDispositionLine Line(MrbDisposition disposition, string? justification = "Within design margin", bool authorizer = true, ElectronicSignature? signature = null) => new()
    {
        Disposition = disposition,
        Lot = new LotId("LOT-1"),
        Quantity = Quantity.Each(10),
        Justification = justification,
        Authorizer = authorizer ? new ActorId("qe-anna") : null,
        Signature = signature,
    };

    private static ElectronicSignature Signature(Role role) => new()
    {
        Signer = new ActorId("da-bob"),
        Role = role,
        Meaning = SignatureMeaning.Approve,
        SignedAt = Time.GetUtcNow(),
        Reason = "Concession approved",
    };

    public static TheoryData<NonconformanceStatus, NonconformanceTrigger, NonconformanceStatus> Permitted => new()
    {
        { NonconformanceStatus.New, NonconformanceTrigger.StartReview, NonconformanceStatus.UnderReview },
        { NonconformanceStatus.UnderReview, NonconformanceTrigger.Approve, NonconformanceStatus.Approved },
        { NonconformanceStatus.UnderReview, NonconformanceTrigger.Refuse, NonconformanceStatus.Refused },
        { NonconformanceStatus.Approved, NonconformanceTrigger.Correct, NonconformanceStatus.Approved },
        { NonconformanceStatus.Approved, NonconformanceTrigger.Disposition, NonconformanceStatus.Dispositioned },
        { NonconformanceStatus.Refused, NonconformanceTrigger.Close, NonconformanceStatus.Closed },
        { NonconformanceStatus.Refused, NonconformanceTrigger.Reopen, NonconformanceStatus.UnderReview },
        { NonconformanceStatus.Dispositioned, NonconformanceTrigger.Correct, NonconformanceStatus.Dispositioned },
        { NonconformanceStatus.Dispositioned, NonconformanceTrigger.Disposition, NonconformanceStatus.Dispositioned },
        { NonconformanceStatus.Dispositioned, NonconformanceTrigger.ExecuteDisposition, NonconformanceStatus.DispositionExecuted },
        { NonconformanceStatus.DispositionExecuted, NonconformanceTrigger.Correct, NonconformanceStatus.DispositionExecuted },
        { NonconformanceStatus.DispositionExecuted, NonconformanceTrigger.Close, NonconformanceStatus.Closed },
        { NonconformanceStatus.Closed, NonconformanceTrigger.Reopen, NonconformanceStatus.UnderReview },
    };

    [Theory]
    [MemberData(nameof(Permitted))]
    public void Fire_PermittedTrigger_MovesToExpectedStatus(NonconformanceStatus from, NonconformanceTrigger trigger, NonconformanceStatus expected)
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.Rework)] };

        var result = NonconformanceMachine.Fire(CreateNcr(from), trigger, args, General);

        result.Rejection.Should().BeNull();
        result.Value!.Status.Should().Be(expected);
    }

    [Fact]
    public void Permitted_CoversEveryTransitionOfTheTable()
    {
        var table = NonconformanceMachine.GetInfo().States
            .SelectMany(s => s.FixedTransitions.Select(t => ((NonconformanceStatus)s.UnderlyingState, (NonconformanceTrigger)t.Trigger.UnderlyingTrigger)))
            .ToHashSet();

        Permitted.Select(row => (row.Data.Item1, row.Data.Item2)).ToHashSet().Should().BeEquivalentTo(table);
    }

    public static TheoryData<NonconformanceStatus, NonconformanceTrigger, string> Forbidden => new()
    {
        { NonconformanceStatus.New, NonconformanceTrigger.Correct, ReasonCodes.NonconformanceNotApproved.Code },
        { NonconformanceStatus.UnderReview, NonconformanceTrigger.Correct, ReasonCodes.NonconformanceNotApproved.Code },
        { NonconformanceStatus.Refused, NonconformanceTrigger.Correct, ReasonCodes.NonconformanceNotApproved.Code },
        { NonconformanceStatus.Closed, NonconformanceTrigger.Correct, ReasonCodes.NonconformanceNotApproved.Code },
        { NonconformanceStatus.UnderReview, NonconformanceTrigger.Disposition, ReasonCodes.NonconformanceNotApproved.Code },
        { NonconformanceStatus.New, NonconformanceTrigger.Approve, ReasonCodes.TransitionNotPermitted.Code },
        { NonconformanceStatus.Approved, NonconformanceTrigger.Close, ReasonCodes.TransitionNotPermitted.Code },
        { NonconformanceStatus.Dispositioned, NonconformanceTrigger.Close, ReasonCodes.TransitionNotPermitted.Code },
        { NonconformanceStatus.Closed, NonconformanceTrigger.ExecuteDisposition, ReasonCodes.TransitionNotPermitted.Code },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void Fire_ForbiddenTrigger_IsRejectedWithReason(NonconformanceStatus from, NonconformanceTrigger trigger, string reason)
    {
        var result = NonconformanceMachine.Fire(CreateNcr(from), trigger, NonconformanceTriggerArgs.None, General);

        result.Rejection!.ReasonCode.Code.Should().Be(reason);
        result.Rejection.CurrentState.Should().Be(from.ToString());
    }

    [Fact]
    public void Fire_DispositionWithoutLines_IsRejectedAsRequired()
    {
        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, NonconformanceTriggerArgs.None, General)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.Required);
    }

    [Fact]
    public void Fire_UseAsIsWithoutJustification_IsRejected()
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, justification: " ")] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.JustificationRequired);
    }

    [Fact]
    public void Fire_UseAsIsWithoutAuthorizer_IsRejected()
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, authorizer: false)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.AuthorizerRequired);
    }

    [Fact]
    public void Fire_UseAsIsWithJustificationAndAuthorizer_RecordsLines()
    {
        var lines = new[] { Line(MrbDisposition.UseAsIs), Line(MrbDisposition.Scrap, justification: null, authorizer: false) };

        var result = NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, new NonconformanceTriggerArgs { Lines = lines }, General).GetValueOrThrow();

        result.Dispositions.Should().Equal(lines);
    }

    [Fact]
    public void Fire_FurtherLinesOnADispositionedNcr_AreAppended()
    {
        var first = Line(MrbDisposition.ReturnToSupplier, justification: null, authorizer: false);
        var dispositioned = CreateNcr(NonconformanceStatus.Dispositioned) with { Dispositions = [first] };
        var further = Line(MrbDisposition.Scrap, justification: null, authorizer: false);

        var result = NonconformanceMachine.Fire(dispositioned, NonconformanceTrigger.Disposition, new NonconformanceTriggerArgs { Lines = [further] }, General).GetValueOrThrow();

        result.Status.Should().Be(NonconformanceStatus.Dispositioned);
        result.Dispositions.Should().Equal(first, further);
    }

    [Fact]
    public void Fire_FurtherUseAsIsLineWithoutJustification_IsRejectedAsTheFirstWouldBe()
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, justification: null)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Dispositioned), NonconformanceTrigger.Disposition, args, General)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.JustificationRequired);
    }

    [Theory]
    [InlineData(MrbDisposition.UseAsIs)]
    [InlineData(MrbDisposition.Repair)]
    public void Fire_AerospaceConcessionWithoutDesignAuthority_IsRejected(MrbDisposition disposition)
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(disposition)], Approvals = [Signature(Role.QualityManager)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, Aerospace)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.DesignAuthorityRequired);
    }

    [Fact]
    public void Fire_AerospaceConcessionWithDesignAuthority_IsAccepted()
    {
        var onLine = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, signature: Signature(Role.DesignAuthority))] };
        var separate = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.Repair)], Approvals = [Signature(Role.DesignAuthority)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, onLine, Aerospace).IsAccepted.Should().BeTrue();
        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, separate, Aerospace).IsAccepted.Should().BeTrue();
    }

    [Fact]
    public void Fire_UseAsIsSignedOnlyByAnOperatorsRejection_IsRejectedAsNotAuthorizing()
    {
        var rejection = new ElectronicSignature { Signer = new ActorId("op-otto"), Role = Role.Operator, Meaning = SignatureMeaning.Reject, SignedAt = Time.GetUtcNow(), Reason = "Not acceptable", Justification = "Out of tolerance" };
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, justification: null, authorizer: false, signature: rejection)] };

        var result = NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General);

        result.Rejection!.ReasonCode.Should().Be(ReasonCodes.SignatureNotAuthorizing);
    }

    [Theory]
    [InlineData("operator", SignatureMeaning.Approve)]
    [InlineData("quality-engineer", SignatureMeaning.Approve)]
    [InlineData("quality-manager", SignatureMeaning.Reject)]
    [InlineData("design-authority", SignatureMeaning.Approve)]
    public void Fire_UseAsIsSignatureWithoutDeviationAuthorityAtAGeneralSite_IsRejected(string role, SignatureMeaning meaning)
    {
        var signature = Signature(new Role(role)) with { Meaning = meaning, Justification = "Within design margin" };
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, signature: signature)] };

        var result = NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General);

        result.Rejection!.ReasonCode.Should().Be(ReasonCodes.SignatureNotAuthorizing);
    }

    [Fact]
    public void Fire_UseAsIsApprovedByTheQualityManagerWithAJustification_IsAccepted()
    {
        var signature = Signature(Role.QualityManager) with { Justification = "Within design margin per ECN-12" };
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, justification: null, authorizer: false, signature: signature)] };

        var result = NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General);

        result.GetValueOrThrow().Status.Should().Be(NonconformanceStatus.Dispositioned);
    }

    [Fact]
    public void Fire_UseAsIsApprovedWithoutAnyJustification_IsRejected()
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, justification: null, authorizer: false, signature: Signature(Role.QualityManager))] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.JustificationRequired);
    }

    [Fact]
    public void Fire_UseAsIsWithAConfiguredDeviationApprover_OnlyThatRoleAuthorizes()
    {
        var byManager = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, signature: Signature(Role.QualityManager))], DeviationApprover = Role.MrbMember };
        var byMrb = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, signature: Signature(Role.MrbMember))], DeviationApprover = Role.MrbMember };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, byManager, General).Rejection!.ReasonCode.Should().Be(ReasonCodes.SignatureNotAuthorizing);
        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, byMrb, General).IsAccepted.Should().BeTrue();
    }

    [Fact]
    public void Fire_AerospaceRework_NeedsNoDesignAuthority()
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.Rework)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, Aerospace).IsAccepted.Should().BeTrue();
    }

    [Fact]
    public void Fire_CorrectOnApproved_UpdatesProblemAndSeverity()
    {
        var args = new NonconformanceTriggerArgs { Problem = "Capacitance 12% low", Severity = DefectSeverity.Major };

        var result = NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Correct, args, General).GetValueOrThrow();

        result.Problem.Should().Be("Capacitance 12% low");
        result.Severity.Should().Be(DefectSeverity.Major);
        result.Status.Should().Be(NonconformanceStatus.Approved);
    }

    [Fact]
    public void Fire_NullArguments_ThrowArgumentNullException()
    {
        var ncr = CreateNcr(NonconformanceStatus.New);

        FluentActions.Invoking(() => NonconformanceMachine.Fire(null!, NonconformanceTrigger.StartReview, NonconformanceTriggerArgs.None, General)).Should().Throw<ArgumentNullException>().WithParameterName("nonconformance");
        FluentActions.Invoking(() => NonconformanceMachine.Fire(ncr, NonconformanceTrigger.StartReview, null!, General)).Should().Throw<ArgumentNullException>().WithParameterName("args");
        FluentActions.Invoking(() => NonconformanceMachine.Fire(ncr, NonconformanceTrigger.StartReview, NonconformanceTriggerArgs.None, null!)).Should().Throw<ArgumentNullException>().WithParameterName("site");
    }

    [Fact]
    public void HasDesignAuthorityApproval_NullArguments_ThrowArgumentNullException()
    {
        FluentActions.Invoking(() => NonconformanceMachine.HasDesignAuthorityApproval(null!, [])).Should().Throw<ArgumentNullException>().WithParameterName("line");
        FluentActions.Invoking(() => NonconformanceMachine.HasDesignAuthorityApproval(Line(MrbDisposition.Repair), null!)).Should().Throw<ArgumentNullException>().WithParameterName("approvals");
    }

    [Fact]
    public void HasDesignAuthorityApproval_ReadsTheLineSignatureAndTheFurtherApprovals()
    {
        var review = Signature(Role.DesignAuthority) with { Meaning = SignatureMeaning.Review };

        NonconformanceMachine.HasDesignAuthorityApproval(Line(MrbDisposition.Repair, signature: Signature(Role.DesignAuthority)), []).Should().BeTrue();
        NonconformanceMachine.HasDesignAuthorityApproval(Line(MrbDisposition.Repair), [Signature(Role.QualityManager), Signature(Role.DesignAuthority)]).Should().BeTrue();
        NonconformanceMachine.HasDesignAuthorityApproval(Line(MrbDisposition.Repair, signature: review), [Signature(Role.QualityManager), review]).Should().BeFalse();
    }

    [Fact]
    public void Fire_CorrectQuantityOnly_UpdatesQuantityAndKeepsProblemAndSeverity()
    {
        var ncr = CreateNcr(NonconformanceStatus.Approved) with { Severity = DefectSeverity.Minor, Quantity = Quantity.Each(10) };

        var result = NonconformanceMachine.Fire(ncr, NonconformanceTrigger.Correct, new NonconformanceTriggerArgs { Quantity = Quantity.Each(12) }, General).GetValueOrThrow();

        result.Quantity.Should().Be(Quantity.Each(12));
        result.Problem.Should().Be("Capacitance out of tolerance");
        result.Severity.Should().Be(DefectSeverity.Minor);
    }

    [Fact]
    public void Fire_CorrectWithoutQuantity_KeepsTheQuantity()
    {
        var ncr = CreateNcr(NonconformanceStatus.Dispositioned) with { Quantity = Quantity.Each(10) };

        var result = NonconformanceMachine.Fire(ncr, NonconformanceTrigger.Correct, new NonconformanceTriggerArgs { Problem = "Capacitance 12% low" }, General).GetValueOrThrow();

        result.Quantity.Should().Be(Quantity.Each(10));
        result.Problem.Should().Be("Capacitance 12% low");
    }

    [Fact]
    public void Fire_MultiLineDispositionWithOneUnjustifiedUseAsIs_IsRejected()
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.Rework), Line(MrbDisposition.UseAsIs, justification: null)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.JustificationRequired);
    }

    [Fact]
    public void Fire_MultiLineDispositionWithOneUnauthorizedUseAsIs_IsRejected()
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs), Line(MrbDisposition.UseAsIs, authorizer: false)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.AuthorizerRequired);
    }

    [Fact]
    public void Fire_AerospaceMultiLineDispositionWithOneRepairLackingDesignAuthority_IsRejected()
    {
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, signature: Signature(Role.DesignAuthority)), Line(MrbDisposition.Repair)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, Aerospace)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.DesignAuthorityRequired);
    }

    [Fact]
    public void Fire_UseAsIsJustifiedOnlyByTheSignature_IsAccepted()
    {
        var signature = Signature(Role.QualityManager) with { Justification = "Within design margin per drawing note 4" };
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, justification: null, authorizer: false, signature: signature)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General).IsAccepted.Should().BeTrue();
    }

    [Fact]
    public void Fire_UseAsIsJustifiedOnTheLine_IsAcceptedWhateverTheSignatureSays()
    {
        var signature = Signature(Role.QualityManager) with { Justification = " " };
        var args = new NonconformanceTriggerArgs { Lines = [Line(MrbDisposition.UseAsIs, signature: signature)] };

        NonconformanceMachine.Fire(CreateNcr(NonconformanceStatus.Approved), NonconformanceTrigger.Disposition, args, General).IsAccepted.Should().BeTrue();
    }

    [Theory]
    [InlineData(NonconformanceStatus.New, NonconformanceStatus.UnderReview)]
    [InlineData(NonconformanceStatus.UnderReview, NonconformanceStatus.Approved)]
    [InlineData(NonconformanceStatus.UnderReview, NonconformanceStatus.Refused)]
    [InlineData(NonconformanceStatus.Refused, NonconformanceStatus.UnderReview)]
    [InlineData(NonconformanceStatus.Refused, NonconformanceStatus.Closed)]
    [InlineData(NonconformanceStatus.Dispositioned, NonconformanceStatus.DispositionExecuted)]
    [InlineData(NonconformanceStatus.DispositionExecuted, NonconformanceStatus.Closed)]
    [InlineData(NonconformanceStatus.Closed, NonconformanceStatus.UnderReview)]
    public void MoveTo_StatusATriggerLeadsTo_IsReached(NonconformanceStatus from, NonconformanceStatus to)
    {
        var result = NonconformanceMachine.MoveTo(CreateNcr(from), to, General);

        result.Rejection.Should().BeNull();
        result.Value!.Status.Should().Be(to);
    }

    [Theory]
    [InlineData(NonconformanceStatus.New, NonconformanceStatus.Approved, "state.transition-not-permitted")]
    [InlineData(NonconformanceStatus.Approved, NonconformanceStatus.Dispositioned, "payload.required")]
    [InlineData(NonconformanceStatus.UnderReview, NonconformanceStatus.Dispositioned, "ncr.not-approved")]
    [InlineData(NonconformanceStatus.Approved, NonconformanceStatus.New, "state.transition-not-permitted")]
    public void MoveTo_StatusTheMachineDoesNotReach_IsRejectedWithItsReason(NonconformanceStatus from, NonconformanceStatus to, string reason)
    {
        var result = NonconformanceMachine.MoveTo(CreateNcr(from), to, General);

        result.Rejection!.ReasonCode.Code.Should().Be(reason);
    }
}
