using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

public class MrbDispositionEndToEndTests
{
    private static readonly NonconformanceId Ncr = new("NC-77");
    private static readonly ActorId QmQuinn = new("qm-quinn");
    private static readonly ActorId MrbMia = new("mrb-mia");
    private static readonly ActorId MrbMax = new("mrb-max");
    private static readonly ActorId QeEve = new("qe-eve");
    private static readonly ActorId DaDan = new("da-dan");
    private static readonly ActorId QmAndDaDora = new("qm-da-dora");

    [Fact]
    public async Task UseAsIs_WithJustificationAndAuthorizer_ReleasesBlockedStockAndExecutesTheDisposition()
    {
        await using var host = await StartWithBlockedLotAsync("L-10", 100);

        await host.PublishAndWaitAsync(Decided("L-10", "mrb-1", UseAsIs("L-10", 100, "Deviation within functional tolerance (eng. report ER-12)", ScenarioTestHost.QualityManagerId)));

        await host.ShouldHaveNoDeadLettersAsync();
        var lot = new LotId("L-10");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        host.ErpMovements("343").Should().Be(1);
        var ncr = host.Plant.Qms.GetNonconformance(Ncr)!;
        ncr.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        ncr.Dispositions.Should().ContainSingle().Which.Justification.Should().Contain("ER-12");
        var audit = await host.AuditOfAsync("L-10");
        audit.Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(MrbUseAsIsRule.RuleName);
        (await host.Orchestrator.GetPartitionAsync("L-10", ScenarioTestHost.Ct))!.Lot!.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(100);
        await host.ShouldHaveValidAuditAsync();
    }

    [Theory]
    [InlineData(null, "qm-bob", "ncr.justification-required")]
    [InlineData("Within functional tolerance", null, "ncr.authorizer-required")]
    public async Task UseAsIs_WithoutJustificationOrAuthorizer_IsRejectedAuditedAndNothingExecuted(string? justification, string? authorizer, string reason)
    {
        await using var host = await StartWithBlockedLotAsync("L-11", 100);

        await host.PublishAndWaitAsync(Decided("L-11", "mrb-2", UseAsIs("L-11", 100, justification, authorizer is null ? null : new ActorId(authorizer))));

        host.Plant.Erp.QuantityIn(new LotId("L-11"), StockCategory.Blocked).Should().Be(100);
        host.Plant.Effects.Records.Should().BeEmpty();
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Approved);
        var audit = await host.AuditOfAsync("L-11");
        var rejected = audit.Should().ContainSingle(r => r.Action == "transition-rejected").Subject;
        rejected.Reason.Should().StartWith(reason);
        rejected.Explanation.Should().Contain(MrbUseAsIsRule.RuleName);
        audit.Should().NotContain(r => r.Action == "processed");
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Rework_MarksLotReworkedMovesItToInspectionAndCreatesAReinspection_ThenAPassingReinspectionReleasesIt()
    {
        await using var host = await StartWithBlockedLotAsync("L-12", 80);

        await host.PublishAndWaitAsync(Decided("L-12", "mrb-3", new MrbDispositionLine { Disposition = MrbDisposition.Rework, Lot = new LotId("L-12"), Quantity = Quantity.Each(80) }));

        await host.ShouldHaveNoDeadLettersAsync();
        var lot = new LotId("L-12");
        host.Plant.Erp.QuantityIn(lot, StockCategory.QualityInspection).Should().Be(80);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        host.ErpMovements("349").Should().Be(1);
        var reinspection = host.Plant.Qms.InspectionLots.Should().ContainSingle().Subject;
        reinspection.Origin.Should().Be(InspectionOrigin.Reinspection);
        reinspection.Quantity.Should().Be(Quantity.Each(80));
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Dispositioned, "the disposition is executed only after the re-inspection");
        (await host.Orchestrator.GetPartitionAsync("L-12", ScenarioTestHost.Ct))!.Lot!.RequiresReinspection.Should().BeTrue();
        (await host.AuditOfAsync("L-12")).Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(MrbReworkRule.RuleName);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-12", "reinspection-passed"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80);
        (await host.Orchestrator.GetPartitionAsync("L-12", ScenarioTestHost.Ct))!.Lot!.RequiresReinspection.Should().BeFalse();
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task ReturnToSupplier_ReturnsStraightFromBlockedAndNotifiesTheSupplier()
    {
        await using var host = await StartWithBlockedLotAsync("L-13", 60);

        await host.PublishAndWaitAsync(Decided("L-13", "mrb-4", new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = new LotId("L-13"), Quantity = Quantity.Each(60) }));

        await host.ShouldHaveNoDeadLettersAsync();
        var lot = new LotId("L-13");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(0);
        host.ErpMovements("343").Should().Be(0, "the return never passes through unrestricted stock");
        host.ErpMovements("122").Should().Be(1);
        var erpKinds = host.Plant.Effects.Records.Where(r => r.System == CommandKinds.ErpSystem).Select(r => r.Summary[..3]).ToArray();
        erpKinds.Should().Equal("122");
        host.Plant.Procurement.SupplierNotices.Should().ContainSingle().Which.Request.Supplier.Should().Be(EngineTestHost.Supplier);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        (await host.AuditOfAsync("L-13")).Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(MrbReturnToSupplierRule.RuleName);
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Scrap_UnregulatedSite_PostsScrapFromBlocked()
    {
        await using var host = await StartWithBlockedLotAsync("L-14", 30);

        await host.PublishAndWaitAsync(Decided("L-14", "mrb-5", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-14"), Quantity = Quantity.Each(30) }));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.QuantityIn(new LotId("L-14"), StockCategory.Blocked).Should().Be(0);
        host.ErpMovements("555").Should().Be(1);
        host.Plant.Erp.GetLot(new LotId("L-14"))!.ScrappedQuantity.Should().Be(30);
        (await host.Orchestrator.GetPartitionAsync("L-14", ScenarioTestHost.Ct))!.Lot!.ScrappedQuantity.Should().Be(30);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Scrap_RegulatedSite_WaitsForAnMrbMember_ThenPostsScrapAndExecutesTheNcr()
    {
        await using var host = await StartRegulatedAsync("L-15", 30);
        var lot = new LotId("L-15");

        await host.PublishAndWaitAsync(Decided("L-15", "mrb-6", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = lot, Quantity = Quantity.Each(30) }));

        host.Plant.Effects.Records.Should().BeEmpty("nothing is posted before the approval");
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Approved);
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-15", ScenarioTestHost.Ct)).Should().ContainSingle().Subject;
        pending.Role.Should().Be(Role.MrbMember);
        pending.Site.Should().Be(EngineTestHost.Site);
        pending.Gate.Should().Be("ScrapLot");
        pending.Requester.Should().Be(ScenarioTestHost.QualityManagerId);
        pending.RequiredSignatures.Should().Be(1);
        pending.JustificationRequired.Should().BeFalse();
        pending.ReasonCode.Should().Be(ReasonCodes.ApprovalRequired);

        await host.SignAsync(Answer("L-15", pending.RequestId, MrbMia, Role.MrbMember, approve: true, "mrb-6-ok"));

        await ShouldHaveNoDeadLettersAsync(host);
        Movements(host, "555").Should().Be(1);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        host.Plant.Erp.GetLot(lot)!.ScrappedQuantity.Should().Be(30);
        (await host.Orchestrator.GetPartitionAsync("L-15", ScenarioTestHost.Ct))!.Lot!.ScrappedQuantity.Should().Be(30);
        var ncr = host.Plant.Qms.GetNonconformance(Ncr)!;
        ncr.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        ncr.Dispositions.Should().ContainSingle().Which.Signature!.Signer.Should().Be(MrbMia);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-15", ScenarioTestHost.Ct)).Should().BeEmpty();
        var audit = await AuditOfAsync(host, "L-15");
        audit.Should().ContainSingle(r => r.Action == "approval-requested").Which.Reason.Should().Contain("Scrap 30 EA of lot L-15");
        audit.Should().ContainSingle(r => r.Action == "e-signature:approve").Which.Actor.Should().Be(MrbMia.Value);
        audit.Should().NotContain(r => r.Action == "approval-required");
        (await host.Orchestrator.Audit.VerifyAllAsync(ScenarioTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task UseAsIs_RegulatedSite_NeedsTheQualityManagersSignatureWithAJustification_ThenReleasesBlockedStock()
    {
        await using var host = await StartRegulatedAsync("L-20", 100);
        var lot = new LotId("L-20");

        await host.PublishAndWaitAsync(Decided("L-20", "mrb-20", UseAsIs("L-20", 100, "Deviation within functional tolerance (eng. report ER-12)", ScenarioTestHost.QualityManagerId)));

        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-20", ScenarioTestHost.Ct)).Should().ContainSingle().Subject;
        pending.Role.Should().Be(Role.QualityManager);
        pending.Gate.Should().Be("UseLotAsIs");
        pending.JustificationRequired.Should().BeTrue();

        await host.SignAsync(Answer("L-20", pending.RequestId, QmQuinn, Role.QualityManager, approve: true, "mrb-20-bare", justification: null));
        host.Plant.Effects.Records.Should().BeEmpty("an approval of use-as-is without a documented justification is not accepted");

        await host.SignAsync(Answer("L-20", pending.RequestId, QmQuinn, Role.QualityManager, approve: true, "mrb-20-ok", justification: "ER-12 reviewed: fit, form and function unaffected"));

        await ShouldHaveNoDeadLettersAsync(host);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        Movements(host, "343").Should().Be(1);
        var ncr = host.Plant.Qms.GetNonconformance(Ncr)!;
        ncr.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        var line = ncr.Dispositions.Should().ContainSingle().Subject;
        line.Justification.Should().Contain("ER-12");
        line.Signature!.Signer.Should().Be(QmQuinn);
        var audit = await AuditOfAsync(host, "L-20");
        audit.Should().Contain(r => r.Action == "approval-refused-invalid" && r.Reason.StartsWith(ReasonCodes.JustificationRequired.Code, StringComparison.Ordinal));
        audit.Should().ContainSingle(r => r.Action == "e-signature:approve").Which.Reason.Should().Contain("ER-12 reviewed");
    }

    [Fact]
    public async Task UseAsIs_RegulatedSite_Refused_PostsNothingKeepsTheNcrOpenAndNotifiesTheMrb()
    {
        await using var host = await StartRegulatedAsync("L-21", 100);
        var lot = new LotId("L-21");
        await host.PublishAndWaitAsync(Decided("L-21", "mrb-21", UseAsIs("L-21", 100, "Within functional tolerance", ScenarioTestHost.QualityManagerId)));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-21", ScenarioTestHost.Ct)).Single();

        await host.SignAsync(Answer("L-21", pending.RequestId, QmQuinn, Role.QualityManager, approve: false, "mrb-21-no"));

        await ShouldHaveNoDeadLettersAsync(host);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(100);
        Movements(host, "343").Should().Be(0);
        host.Plant.Qms.CallCount(CommandKinds.QmsRecordDisposition).Should().Be(0);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Approved, "the NCR stays open for another disposition");
        host.Plant.Notification.SentTo(Role.MrbMember, EngineTestHost.Site).Should().ContainSingle().Which.Request.Subject.Should().Contain("refused");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-21", ScenarioTestHost.Ct)).Should().BeEmpty();
        (await AuditOfAsync(host, "L-21")).Should().ContainSingle(r => r.Action == "disposition-refused").Which.Actor.Should().Be(QmQuinn.Value);

        // The MRB decides again: scrap, which waits for an MRB member and is then posted.
        await host.PublishAndWaitAsync(Decided("L-21", "mrb-21-scrap", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = lot, Quantity = Quantity.Each(100) }));
        var scrap = (await host.Orchestrator.GetPendingApprovalsAsync("L-21", ScenarioTestHost.Ct)).Single();
        await host.SignAsync(Answer("L-21", scrap.RequestId, MrbMia, Role.MrbMember, approve: true, "mrb-21-scrap-ok"));

        Movements(host, "555").Should().Be(1);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
    }

    [Fact]
    public async Task UseAsIs_RegulatedSite_SignedByWhoRecordedTheDecision_IsRefusedAsSelfApproval()
    {
        await using var host = await StartRegulatedAsync("L-22", 100);
        await host.PublishAndWaitAsync(Decided("L-22", "mrb-22", UseAsIs("L-22", 100, "Within functional tolerance", ScenarioTestHost.QualityManagerId)));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-22", ScenarioTestHost.Ct)).Single();

        await host.SignAsync(Answer("L-22", pending.RequestId, ScenarioTestHost.QualityManagerId, Role.QualityManager, approve: true, "mrb-22-self"));

        host.Plant.Effects.Records.Should().BeEmpty();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-22", ScenarioTestHost.Ct)).Should().ContainSingle("the request still waits for someone else");
        (await AuditOfAsync(host, "L-22")).Should().Contain(r => r.Action == "approval-refused-invalid" && r.Reason.StartsWith(ReasonCodes.SelfApproval.Code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrap_RegulatedSite_SignedByAQualityEngineer_IsRefusedForTheRole()
    {
        await using var host = await StartRegulatedAsync("L-23", 30);
        await host.PublishAndWaitAsync(Decided("L-23", "mrb-23", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-23"), Quantity = Quantity.Each(30) }));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-23", ScenarioTestHost.Ct)).Single();

        await host.SignAsync(Answer("L-23", pending.RequestId, QeEve, Role.MrbMember, approve: true, "mrb-23-qe"));

        Movements(host, "555").Should().Be(0);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-23", ScenarioTestHost.Ct)).Should().ContainSingle();
        (await AuditOfAsync(host, "L-23")).Should().Contain(r => r.Action == "approval-refused-invalid" && r.Reason.StartsWith(ReasonCodes.RoleNotHeld.Code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrap_SiteAskingForTwoPersonApproval_NeedsTwoDistinctMrbMembers()
    {
        await using var host = await StartRegulatedAsync("L-24", 30, twoPerson: true);
        await host.PublishAndWaitAsync(Decided("L-24", "mrb-24", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-24"), Quantity = Quantity.Each(30) }));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-24", ScenarioTestHost.Ct)).Single();
        pending.RequiredSignatures.Should().Be(2);

        await host.SignAsync(Answer("L-24", pending.RequestId, MrbMia, Role.MrbMember, approve: true, "mrb-24-first"));
        Movements(host, "555").Should().Be(0, "one signature of two");

        await host.SignAsync(Answer("L-24", pending.RequestId, MrbMax, Role.MrbMember, approve: true, "mrb-24-second"));

        Movements(host, "555").Should().Be(1);
        (await AuditOfAsync(host, "L-24")).Where(r => r.Action == "e-signature:approve").Select(r => r.Actor).Should().Equal(MrbMia.Value, MrbMax.Value);
    }

    [Fact]
    public async Task UseAsIs_AerospaceSite_NeedsTheQualityManagerThenTheDesignAuthority()
    {
        await using var host = await StartRegulatedAsync("L-25", 100, industry: IndustryProfile.Aerospace);
        var lot = new LotId("L-25");

        await host.PublishAndWaitAsync(Decided("L-25", "mrb-25", UseAsIs("L-25", 100, "Within functional tolerance (ER-25)", ScenarioTestHost.QualityManagerId)));

        (await AuditOfAsync(host, "L-25")).Should().NotContain(r => r.Action == "transition-rejected", "the design authority's approval is asked for, not missing");
        var first = (await host.Orchestrator.GetPendingApprovalsAsync("L-25", ScenarioTestHost.Ct)).Should().ContainSingle().Subject;
        first.Role.Should().Be(Role.QualityManager);
        await host.SignAsync(Answer("L-25", first.RequestId, QmQuinn, Role.QualityManager, approve: true, "mrb-25-qm"));

        host.Plant.Effects.Records.Should().BeEmpty("the design authority has not signed yet");
        var second = (await host.Orchestrator.GetPendingApprovalsAsync("L-25", ScenarioTestHost.Ct)).Should().ContainSingle().Subject;
        second.Role.Should().Be(Role.DesignAuthority);
        second.ReasonCode.Should().Be(ReasonCodes.DesignAuthorityRequired);
        second.Requester.Should().Be(ScenarioTestHost.QualityManagerId);

        await host.SignAsync(Answer("L-25", second.RequestId, DaDan, Role.DesignAuthority, approve: true, "mrb-25-da"));

        await ShouldHaveNoDeadLettersAsync(host);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        var ncr = host.Plant.Qms.GetNonconformance(Ncr)!;
        ncr.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        ncr.Dispositions.Should().ContainSingle().Which.Signature!.Role.Should().Be(Role.DesignAuthority);
    }

    [Fact]
    public async Task UseAsIs_AerospaceSite_WhoSignedAsQualityManagerCannotAlsoSignAsDesignAuthority()
    {
        await using var host = await StartRegulatedAsync("L-30", 100, industry: IndustryProfile.Aerospace);
        var lot = new LotId("L-30");
        await host.PublishAndWaitAsync(Decided("L-30", "mrb-30", UseAsIs("L-30", 100, "Within functional tolerance (ER-30)", ScenarioTestHost.QualityManagerId)));
        var first = (await host.Orchestrator.GetPendingApprovalsAsync("L-30", ScenarioTestHost.Ct)).Should().ContainSingle().Subject;
        await host.SignAsync(Answer("L-30", first.RequestId, QmAndDaDora, Role.QualityManager, approve: true, "mrb-30-qm"));

        var second = (await host.Orchestrator.GetPendingApprovalsAsync("L-30", ScenarioTestHost.Ct)).Should().ContainSingle().Subject;
        second.Role.Should().Be(Role.DesignAuthority);
        second.ExcludedSigners.Should().Equal(QmAndDaDora);

        // Dora holds the design authority role too, but one person may not sign both approvals of the chain.
        await host.SignAsync(Answer("L-30", second.RequestId, QmAndDaDora, Role.DesignAuthority, approve: true, "mrb-30-da-dora"));

        host.Plant.Effects.Records.Should().BeEmpty("the second approval of the chain has no valid signature yet");
        (await AuditOfAsync(host, "L-30")).Should().Contain(r => r.Action == "approval-refused-invalid" && r.Reason.StartsWith(ReasonCodes.SecondApproverRequired.Code, StringComparison.Ordinal));
        (await host.Orchestrator.GetPendingApprovalsAsync("L-30", ScenarioTestHost.Ct)).Should().ContainSingle().Which.RequestId.Should().Be(second.RequestId);
        var delegated = await host.Orchestrator.DelegateApprovalAsync("L-30", second.RequestId, QmAndDaDora, "on leave", host.Identity(DaDan), ScenarioTestHost.Ct);
        delegated.Refusal.Should().Be(ReasonCodes.SecondApproverRequired, "nor may the design authority's signature be delegated to her");

        await host.SignAsync(Answer("L-30", second.RequestId, DaDan, Role.DesignAuthority, approve: true, "mrb-30-da-dan"));

        await ShouldHaveNoDeadLettersAsync(host);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        host.Plant.Qms.GetNonconformance(Ncr)!.Dispositions.Should().ContainSingle().Which.Signature!.Signer.Should().Be(DaDan);
        (await host.Orchestrator.Audit.VerifyAllAsync(ScenarioTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Repair_AerospaceSite_WaitsForTheDesignAuthority_ThenMovesTheLotToReinspection()
    {
        await using var host = await StartRegulatedAsync("L-26", 40, industry: IndustryProfile.Aerospace);
        var lot = new LotId("L-26");

        await host.PublishAndWaitAsync(Decided("L-26", "mrb-26", new MrbDispositionLine { Disposition = MrbDisposition.Repair, Lot = lot, Quantity = Quantity.Each(40) }));

        host.Plant.Effects.Records.Should().BeEmpty();
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-26", ScenarioTestHost.Ct)).Should().ContainSingle().Subject;
        pending.Role.Should().Be(Role.DesignAuthority);
        pending.Gate.Should().Be("ReworkLot");

        await host.SignAsync(Answer("L-26", pending.RequestId, DaDan, Role.DesignAuthority, approve: true, "mrb-26-da"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.QualityInspection).Should().Be(40);
        host.Plant.Qms.InspectionLots.Should().ContainSingle().Which.Origin.Should().Be(InspectionOrigin.Reinspection);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Dispositioned, "a repair is executed only after the re-inspection");
    }

    [Fact]
    public async Task Scrap_RegulatedSite_ApprovalOverdue_EscalatesThroughTheApprovalSla()
    {
        await using var host = await StartRegulatedAsync("L-27", 30, configure: o => o.Settings.Approvals.WorkflowDeadlines[MrbDispositionWorkflow.Name] = TimeSpan.FromHours(2));
        await host.PublishAndWaitAsync(Decided("L-27", "mrb-27", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-27"), Quantity = Quantity.Each(30) }));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-27", ScenarioTestHost.Ct)).Single();
        pending.DueAt.Should().Be(pending.RequestedAt + TimeSpan.FromHours(2));

        host.Time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        await host.Orchestrator.WaitForIdleAsync(ScenarioTestHost.Ct);

        host.Plant.Notification.SentTo(Role.QualityManager, EngineTestHost.Site).Should().ContainSingle().Which.Request.ReasonCode.Should().Be(ReasonCodes.SlaBreached);
        Movements(host, "555").Should().Be(0, "an overdue approval is escalated, never assumed");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-27", ScenarioTestHost.Ct)).Single().EscalationLevel.Should().Be(1);
    }

    [Fact]
    public async Task TwoGatedLines_EachPostedWhenApproved_TheNcrExecutedOnlyAfterBoth()
    {
        await using var host = await StartRegulatedAsync("L-28", 30);
        var lot = new LotId("L-28");
        await host.PublishAndWaitAsync(Decided(
            "L-28",
            "mrb-28",
            new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = lot, Quantity = Quantity.Each(10) },
            UseAsIs("L-28", 20, "Within functional tolerance", ScenarioTestHost.QualityManagerId)));
        var pending = await host.Orchestrator.GetPendingApprovalsAsync("L-28", ScenarioTestHost.Ct);
        pending.Select(p => p.Role).Should().BeEquivalentTo([Role.MrbMember, Role.QualityManager]);

        await host.SignAsync(Answer("L-28", pending.Single(p => p.Role == Role.MrbMember).RequestId, MrbMia, Role.MrbMember, approve: true, "mrb-28-scrap"));

        Movements(host, "555").Should().Be(1);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Dispositioned, "the use-as-is line still waits");

        await host.SignAsync(Answer("L-28", pending.Single(p => p.Role == Role.QualityManager).RequestId, QmQuinn, Role.QualityManager, approve: true, "mrb-28-use"));

        Movements(host, "343").Should().Be(1);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(20);
        var ncr = host.Plant.Qms.GetNonconformance(Ncr)!;
        ncr.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        ncr.Dispositions.Should().HaveCount(2);
        (await host.Orchestrator.GetPartitionAsync("L-28", ScenarioTestHost.Ct))!.Values.Keys.Should().NotContain(k => k.StartsWith("mrb.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MixedLines_GatedLineRefused_TheMrbDecidesTheRestAgain_AndTheNcrIsExecuted()
    {
        await using var host = await StartRegulatedAsync("L-29", 30);
        var lot = new LotId("L-29");
        await host.PublishAndWaitAsync(Decided(
            "L-29",
            "mrb-29",
            new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = lot, Quantity = Quantity.Each(10) },
            UseAsIs("L-29", 20, "Within functional tolerance", ScenarioTestHost.QualityManagerId)));
        var useAsIs = (await host.Orchestrator.GetPendingApprovalsAsync("L-29", ScenarioTestHost.Ct)).Single();
        await host.SignAsync(Answer("L-29", useAsIs.RequestId, QmQuinn, Role.QualityManager, approve: false, "mrb-29-no"));

        Movements(host, "122").Should().Be(1, "the return line was carried out at once");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(20);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Dispositioned, "one line is recorded, the refused one is not");

        // The MRB decides the refused quantity again: scrap, which waits for an MRB member and is then posted.
        await host.PublishAndWaitAsync(Decided("L-29", "mrb-29-scrap", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = lot, Quantity = Quantity.Each(20) }));
        (await AuditOfAsync(host, "L-29")).Should().NotContain(r => r.Action == "transition-rejected", "a dispositioned NCR takes further lines");
        var scrap = (await host.Orchestrator.GetPendingApprovalsAsync("L-29", ScenarioTestHost.Ct)).Single();
        await host.SignAsync(Answer("L-29", scrap.RequestId, MrbMia, Role.MrbMember, approve: true, "mrb-29-scrap-ok"));

        await ShouldHaveNoDeadLettersAsync(host);
        Movements(host, "555").Should().Be(1);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        var ncr = host.Plant.Qms.GetNonconformance(Ncr)!;
        ncr.Dispositions.Select(d => d.Disposition).Should().Equal(MrbDisposition.ReturnToSupplier, MrbDisposition.Scrap);
        ncr.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
    }

    [Fact]
    public async Task Scrap_ApprovedAfterTheLotLeftBlockedStock_IsRejectedAndPostsNothing()
    {
        await using var host = await StartRegulatedAsync("L-29", 30);
        var lot = new LotId("L-29");
        await host.PublishAndWaitAsync(Decided("L-29", "mrb-29", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = lot, Quantity = Quantity.Each(30) }));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-29", ScenarioTestHost.Ct)).Single();
        // While the scrap waits, the MRB returns the whole quantity to the supplier (needs no approval).
        await host.PublishAndWaitAsync(Decided("L-29", "mrb-29-return", new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = lot, Quantity = Quantity.Each(30) }));
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);

        await host.SignAsync(Answer("L-29", pending.RequestId, MrbMia, Role.MrbMember, approve: true, "mrb-29-ok"));

        Movements(host, "555").Should().Be(0);
        await ShouldHaveNoDeadLettersAsync(host);
        (await AuditOfAsync(host, "L-29")).Should().Contain(r => r.Action == "transition-rejected");
        (await host.Orchestrator.Audit.VerifyAllAsync(ScenarioTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Disposition_NonconformanceNotApproved_IsRejectedByTheNcrMachine()
    {
        await using var host = await StartWithBlockedLotAsync("L-16", 10, ncrStatus: NonconformanceStatus.UnderReview);

        await host.PublishAndWaitAsync(Decided("L-16", "mrb-7", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-16"), Quantity = Quantity.Each(10) }));

        host.Plant.Effects.Records.Should().BeEmpty();
        (await host.AuditOfAsync("L-16")).Should().ContainSingle(r => r.Action == "transition-rejected").Which.Reason.Should().StartWith("ncr.not-approved");
    }

    [Fact]
    public async Task Disposition_SameEventTwice_ExecutesOnce()
    {
        await using var host = await StartWithBlockedLotAsync("L-17", 10);
        var decided = Decided("L-17", "mrb-8", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-17"), Quantity = Quantity.Each(10) });

        await host.PublishAndWaitAsync(decided);
        (await host.Orchestrator.PublishAsync(decided, ScenarioTestHost.Ct)).Status.Should().Be(Engine.Execution.PublishStatus.Duplicate);
        await host.Orchestrator.WaitForIdleAsync(ScenarioTestHost.Ct);

        host.ErpMovements("555").Should().Be(1);
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task UseAsIs_NamingAnUnregulatedSite_ForALotAtARegulatedSite_IsRejectedAndReleasesNothing()
    {
        // qm-bob is quality manager at P1, which is not regulated; the lot lies blocked at the regulated P3.
        var regulated = new SiteProfile { Id = new SiteId("P3"), HoldLocation = new BinId("HOLD-P3"), IsRegulated = true };
        var host = new EngineTestHost(
            o => o.Actors = new InMemoryActorDirectory([Person(ScenarioTestHost.QualityManagerId, Role.QualityManager)]),
            scenarioWorkflows: services => [MrbDispositionWorkflow.Create(new ScenarioServices(services.Rules, new SiteDirectory([EngineTestHost.SiteProfile, regulated])) { Actors = services.Actors })]);
        await using var _ = host;
        host.Plant.AddSite(regulated);
        host.Plant.AddLot(
            new MaterialLot
            {
                Id = new LotId("L-P3"),
                Material = EngineTestHost.Capacitor,
                Site = regulated.Id,
                Supplier = EngineTestHost.Supplier,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.Blocked, Quantity = Quantity.Each(100) }],
                QualityDecision = QualityDecision.Rejected,
            },
            new BinId("HOLD-P3"));
        host.Plant.Qms.AddNonconformance(new Nonconformance
        {
            Id = Ncr,
            Problem = "Capacitance out of tolerance",
            Site = regulated.Id,
            Material = EngineTestHost.Capacitor,
            Lots = [new LotId("L-P3")],
            Quantity = Quantity.Each(100),
            Status = NonconformanceStatus.Approved,
        });
        await host.StartAsync();

        await host.PublishAndWaitAsync(Decided("L-P3", "mrb-p3", UseAsIs("L-P3", 100, "Deviation within functional tolerance", ScenarioTestHost.QualityManagerId)));

        host.Plant.Erp.QuantityIn(new LotId("L-P3"), StockCategory.Blocked).Should().Be(100, "a use-as-is at the regulated site waits for its quality manager's signature");
        Movements(host, "343").Should().Be(0);
        (await AuditOfAsync(host, "L-P3")).Should().ContainSingle(r => r.Action == "transition-rejected").Which.Reason.Should().StartWith(ReasonCodes.OutOfRange.Code).And.Contain("P3");
    }

    private static async Task<ScenarioTestHost> StartWithBlockedLotAsync(string lotId, decimal quantity, bool regulated = false, NonconformanceStatus ncrStatus = NonconformanceStatus.Approved)
    {
        var host = await ScenarioTestHost.StartAsync(regulated);
        host.AddLot(lotId, quantity, StockCategory.Blocked);
        host.Plant.Qms.AddNonconformance(new Nonconformance
        {
            Id = Ncr,
            Problem = "Capacitance out of tolerance",
            Site = EngineTestHost.Site,
            Material = EngineTestHost.Capacitor,
            Lots = [new LotId(lotId)],
            Quantity = Quantity.Each(quantity),
            Supplier = EngineTestHost.Supplier,
            Status = ncrStatus,
        });
        return host;
    }

    /// <summary>A host whose site is regulated (optionally aerospace, optionally asking for two signers), with approvers.</summary>
    private static async Task<EngineTestHost> StartRegulatedAsync(string lotId, decimal quantity, IndustryProfile industry = IndustryProfile.MedicalDevice, bool twoPerson = false, Action<Engine.Execution.OrchestratorOptions>? configure = null)
    {
        var site = new SiteProfile
        {
            Id = EngineTestHost.Site,
            HoldLocation = new BinId("HOLD-P1"),
            IsRegulated = true,
            Industry = industry,
            PolicySwitches = new Dictionary<string, bool> { [MrbDispositionWorkflow.TwoPersonApprovalSwitch] = twoPerson },
        };
        var host = new EngineTestHost(
            o =>
            {
                configure?.Invoke(o);
                o.Actors = new InMemoryActorDirectory([
                Person(ScenarioTestHost.QualityManagerId, Role.QualityManager),
                Person(QmQuinn, Role.QualityManager),
                Person(MrbMia, Role.MrbMember),
                Person(MrbMax, Role.MrbMember),
                Person(QeEve, Role.QualityEngineer),
                Person(DaDan, Role.DesignAuthority),
                new Actor
                {
                    Id = QmAndDaDora,
                    Roles = [new RoleAssignment { Role = Role.QualityManager, Site = EngineTestHost.Site }, new RoleAssignment { Role = Role.DesignAuthority, Site = EngineTestHost.Site }],
                },
                ]);
            },
            scenarioWorkflows: services => [MrbDispositionWorkflow.Create(new ScenarioServices(services.Rules, new SiteDirectory([site])))]);

        // The QMS applies the same concession rule as the NC machine, so it must know the site's industry profile too.
        host.Plant.AddSite(site);
        host.Plant.AddLot(
            new MaterialLot
            {
                Id = new LotId(lotId),
                Material = EngineTestHost.Capacitor,
                Site = EngineTestHost.Site,
                Supplier = EngineTestHost.Supplier,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.Blocked, Quantity = Quantity.Each(quantity) }],
                QualityDecision = QualityDecision.Rejected,
            },
            new BinId("HOLD-P1"));
        host.Plant.Qms.AddNonconformance(new Nonconformance
        {
            Id = Ncr,
            Problem = "Capacitance out of tolerance",
            Site = EngineTestHost.Site,
            Material = EngineTestHost.Capacitor,
            Lots = [new LotId(lotId)],
            Quantity = Quantity.Each(quantity),
            Supplier = EngineTestHost.Supplier,
            Status = NonconformanceStatus.Approved,
        });
        return await host.StartAsync();
    }

    private static async Task<IReadOnlyList<Engine.Audit.AuditRecord>> AuditOfAsync(EngineTestHost host, string partitionKey) =>
        await host.Orchestrator.GetAuditTrailAsync(partitionKey, ScenarioTestHost.Ct);

    private static async Task ShouldHaveNoDeadLettersAsync(EngineTestHost host) =>
        (await host.Orchestrator.GetDeadLettersAsync(Engine.Storage.DeadLetterQuery.Open, ScenarioTestHost.Ct)).Should().BeEmpty(await host.DescribeDeadLettersAsync());

    private static Actor Person(ActorId id, Role role) => new() { Id = id, Roles = [new RoleAssignment { Role = role, Site = EngineTestHost.Site }] };

    private static int Movements(EngineTestHost host, string movementType) =>
        host.Plant.Effects.Records.Count(r => r.System == CommandKinds.ErpSystem && r.Summary.StartsWith(movementType + " ", StringComparison.Ordinal));

    private static SignatureAttempt Answer(string lot, string requestId, ActorId signer, Role role, bool approve, string id, string? justification = "Reviewed against the NCR evidence")
    {
        var signature = new ElectronicSignature
        {
            Signer = signer,
            Role = role,
            Meaning = approve ? SignatureMeaning.Approve : SignatureMeaning.Reject,
            SignedAt = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero),
            Reason = approve ? "disposition confirmed" : "deviation not acceptable for this customer",
            Justification = justification,
        };
        return EngineTestHost.Attempt(lot, requestId, signature);
    }

    private static MrbDispositionLine UseAsIs(string lotId, decimal quantity, string? justification, ActorId? authorizer) => new()
    {
        Disposition = MrbDisposition.UseAsIs,
        Lot = new LotId(lotId),
        Quantity = Quantity.Each(quantity),
        Justification = justification,
        Authorizer = authorizer,
    };

    private static EventEnvelope Decided(string lotId, string eventId, params MrbDispositionLine[] lines) =>
        ScenarioTestHost.Envelope(eventId, EventTypes.MrbDispositionDecided, new MrbDispositionDecided
        {
            Nonconformance = Ncr,
            Lot = new LotId(lotId),
            Material = EngineTestHost.Capacitor,
            Site = EngineTestHost.Site,
            Lines = lines,
            DecidedBy = ScenarioTestHost.QualityManagerId,
        }, source: "qms://plant-1");
}
