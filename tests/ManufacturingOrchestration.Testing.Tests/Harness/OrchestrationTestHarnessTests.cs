using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Testing.Tests.Harness;

public sealed class OrchestrationTestHarnessTests
{
    private static readonly SiteId Site = new("P1");
    private static readonly MaterialId Capacitor = new("CAP-100UF");
    private static readonly SupplierId Supplier = new("S-ACME");
    private static readonly SiteId RegulatedSite = new("P3");
    private static readonly ActorId QualityManager = new("qm-quinn");
    private static readonly ActorId ShopOperator = new("op-olly");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishAndWaitAsync_FailedInspection_LotBlockedOnceAndAuditIntact()
    {
        await using var harness = await CreateSut("LOT-1").StartAsync(Ct);

        var results = await harness.PublishAndWaitAsync([Failed("LOT-1", "evt-1"), Failed("LOT-1", "evt-1")], Ct);

        results.Select(r => r.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Duplicate);
        harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, new LotId("LOT-1")).System.Should().Be("erp");
        harness.Plant.Erp.QuantityIn(new LotId("LOT-1"), StockCategory.Blocked).Should().Be(60);
        (await harness.AssertAuditIntactAsync(Ct)).RecordsChecked.Should().BeGreaterThan(0);
        await harness.AssertNoOpenDeadLettersAsync(Ct);
    }

    [Fact]
    public async Task WaitForIdleAsync_WorkThatWaitsOnTheFakeClock_FailsAfterTheIdleTimeoutSayingWhatIsPending()
    {
        await using var harness = await CreateSut(new OrchestrationTestHarnessOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) }, "LOT-9").StartAsync(Ct);
        harness.Plant.Faults.Configure(CommandKinds.ErpChangeStockCategory, new FaultProfile { Latency = TimeSpan.FromHours(1) });

        // The ERP answers an hour later on the fake clock, which nothing moves: the work never finishes by itself.
        var act = () => harness.PublishAndWaitAsync([Failed("LOT-9", "evt-9")], Ct);

        (await act.Should().ThrowAsync<TimeoutException>()).WithMessage("The orchestrator was not idle after 00:00:00.2*1 work item(s) queued or running*");
        // The clock moves on until the answer came: on a loaded machine the call may begin its hour's wait only after a
        // first move of the clock.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (harness.Orchestrator.Backlog > 0 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            harness.Time.Advance(TimeSpan.FromHours(1));
            await Task.Delay(20, Ct);
        }

        await harness.WaitForIdleAsync(Ct);
        harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, new LotId("LOT-9"));
    }

    [Fact]
    public async Task AssertEffectOnce_NoEffect_ThrowsSayingWhatWasFound()
    {
        await using var harness = await CreateSut("LOT-2").StartAsync(Ct);

        var act = () => harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, new LotId("LOT-2"));

        act.Should().Throw<OrchestrationAssertionException>().WithMessage("*found 0*");
    }

    [Fact]
    public async Task AssertNoEffect_EffectApplied_Throws()
    {
        await using var harness = await CreateSut("LOT-3").StartAsync(Ct);
        await harness.PublishAndWaitAsync([Failed("LOT-3", "evt-3")], Ct);

        var act = () => harness.AssertNoEffect(CommandKinds.ErpChangeStockCategory, new LotId("LOT-3"));

        act.Should().Throw<OrchestrationAssertionException>();
        harness.EffectsOf(CommandKinds.ErpChangeStockCategory).Should().ContainSingle();
    }

    [Fact]
    public async Task AdvanceAsync_TransientErpFailure_TheDurableRetryFiresAtItsTimeAndSucceeds()
    {
        await using var harness = await CreateSut("LOT-4").StartAsync(Ct);
        harness.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 1);
        var start = harness.Time.GetUtcNow();

        await harness.PublishAndWaitAsync([Failed("LOT-4", "evt-4")], Ct);
        var beforeRetry = harness.EffectsOf(CommandKinds.ErpChangeStockCategory, new LotId("LOT-4")).Count;
        await harness.AdvanceAsync(TimeSpan.FromHours(1), Ct);

        beforeRetry.Should().Be(0);
        harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, new LotId("LOT-4")).Timestamp.Should().BeAfter(start).And.BeBefore(start + TimeSpan.FromHours(1));
        harness.Time.GetUtcNow().Should().Be(start + TimeSpan.FromHours(1));
        await harness.AssertNoOpenDeadLettersAsync(Ct);
    }

    [Fact]
    public async Task AdvanceAsync_NegativeDuration_Throws()
    {
        await using var harness = CreateSut();

        await harness.Invoking(h => h.AdvanceAsync(TimeSpan.FromSeconds(-1), Ct)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task EffectCounts_FailedInspection_CountsEachCommandKindOfTheLot()
    {
        await using var harness = await CreateSut("LOT-5").StartAsync(Ct);
        await harness.PublishAndWaitAsync([Failed("LOT-5", "evt-5")], Ct);

        var counts = harness.EffectCounts(new LotId("LOT-5"));

        counts[CommandKinds.ErpChangeStockCategory].Should().Be(1);
        counts[CommandKinds.WmsCreateMoveTask].Should().Be(1);
        counts.Values.Sum().Should().Be(harness.Effects.Records.Count(r => r.Lot == "LOT-5"));
        harness.EffectCounts(new LotId("OTHER")).Should().BeEmpty();
    }

    [Fact]
    public async Task AssertPendingApprovalAsync_NothingWaits_ThrowsSayingWhatWasFound()
    {
        await using var harness = await CreateSut("LOT-6").StartAsync(Ct);

        await harness.Invoking(h => h.AssertPendingApprovalAsync("LOT-6", Ct)).Should().ThrowAsync<OrchestrationAssertionException>().WithMessage("*LOT-6*found 0*");
    }

    [Fact]
    public async Task ApproveAsync_GatedReleaseAtARegulatedSite_SignsAsTheRequestedRoleAndResumesTheWorkflow()
    {
        await using var harness = await CreateRegulatedSut("LOT-7").StartAsync(Ct);
        await harness.PublishAndWaitAsync([Passed("LOT-7", "evt-7")], Ct);
        var pending = await harness.AssertPendingApprovalAsync("LOT-7", Ct);
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        var result = await harness.ApproveAsync("LOT-7", QualityManager, "reviewed", Ct);

        result.Succeeded.Should().BeTrue(result.Message);
        pending.Role.Should().Be(Role.QualityManager);
        harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, new LotId("LOT-7"));
        harness.Plant.Erp.QuantityIn(new LotId("LOT-7"), StockCategory.Unrestricted).Should().Be(60);
        var signature = (await harness.Orchestrator.GetAuditTrailAsync("LOT-7", Ct)).Should().ContainSingle(r => r.Action == "e-signature:approve").Subject;
        signature.Actor.Should().Be(QualityManager.Value);
        signature.Reason.Should().Contain("quality-manager").And.Contain("reviewed").And.Contain(harness.Time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RefuseAsync_GatedRelease_ClosesTheRequestWithoutReleasing()
    {
        await using var harness = await CreateRegulatedSut("LOT-8").StartAsync(Ct);
        await harness.PublishAndWaitAsync([Passed("LOT-8", "evt-8")], Ct);

        await harness.RefuseAsync("LOT-8", QualityManager, "certificate missing", Ct);

        harness.AssertNoEffect(CommandKinds.ErpChangeStockCategory, new LotId("LOT-8"));
        (await harness.Orchestrator.GetPendingApprovalsAsync("LOT-8", Ct)).Should().BeEmpty();
        (await harness.Orchestrator.GetAuditTrailAsync("LOT-8", Ct)).Should().ContainSingle(r => r.Action == "e-signature:reject");
    }

    [Fact]
    public async Task AnswerApprovalAsync_AuthenticatedTooLongAgo_IsRefusedAuditedAndTheRequestStillWaits()
    {
        await using var harness = await CreateRegulatedSut("LOT-9").StartAsync(Ct);
        await harness.PublishAndWaitAsync([Passed("LOT-9", "evt-9")], Ct);
        var signer = TestIdentity.At(QualityManager, harness.Time.GetUtcNow() - TimeSpan.FromHours(1));

        var result = await harness.AnswerApprovalAsync("LOT-9", signer, SignatureMeaning.Approve, "reviewed", null, Ct);

        result.Refusal.Should().Be(ReasonCodes.ReauthenticationRequired);
        harness.AssertNoEffect(CommandKinds.ErpChangeStockCategory, new LotId("LOT-9"));
        (await harness.AssertPendingApprovalAsync("LOT-9", Ct)).Signatures.Should().BeEmpty();
        (await harness.Orchestrator.GetAuditTrailAsync("LOT-9", Ct)).Should().ContainSingle(r => r.Action == "approval-refused-invalid")
            .Which.Reason.Should().StartWith(ReasonCodes.ReauthenticationRequired.Code);
    }

    [Fact]
    public async Task ApproveAsync_ByAnOperator_IsRefusedAndNothingIsReleased()
    {
        await using var harness = await CreateRegulatedSut("LOT-10").StartAsync(Ct);
        await harness.PublishAndWaitAsync([Passed("LOT-10", "evt-10")], Ct);

        var result = await harness.ApproveAsync("LOT-10", ShopOperator, "looks fine", Ct);

        result.Refusal.Should().Be(ReasonCodes.RoleNotHeld);
        harness.AssertNoEffect(CommandKinds.ErpChangeStockCategory, new LotId("LOT-10"));
    }

    [Fact]
    public async Task ReconcileAsync_ErpChangedBehindTheOrchestrator_ReportsTheDriftAndWaitsForTheAlert()
    {
        var options = new OrchestrationTestHarnessOptions { Workflows = { IncomingInspectionWorkflow.Create, services => DriftCorrectionWorkflow.Create(services) } };
        await using var harness = await CreateSut(options, "LOT-10").StartAsync(Ct);
        await harness.PublishAndWaitAsync([Failed("LOT-10", "evt-10")], Ct);
        harness.Plant.Erp.AddLot(Lot("LOT-10", StockCategory.Unrestricted));

        var report = await harness.ReconcileAsync([new LotId("LOT-10")], Ct);

        report.AlertsRaised.Should().Equal(new LotId("LOT-10"));
        harness.Plant.Notification.SentTo(Role.WarehouseLead, Site).Should().ContainSingle();
        harness.Orchestrator.Backlog.Should().Be(0);
    }

    [Fact]
    public async Task Constructor_DefaultTraceability_PublicationsReachAnInMemoryRepository()
    {
        await using var harness = CreateSut();

        harness.Traceability.Should().BeOfType<InMemoryTraceabilityRepository>();
        harness.Options.Adapters.Find(CommandKinds.TraceabilityPublishGenealogy, null).Should().BeOfType<ManufacturingOrchestration.Engine.Traceability.TraceabilityRepositoryAdapter>();
    }

    [Fact]
    public async Task Constructor_TraceabilityFactoryReturnsNull_NoTraceabilityAdapter()
    {
        await using var harness = new OrchestrationTestHarness(new OrchestrationTestHarnessOptions { Traceability = _ => null });

        harness.Traceability.Should().BeNull();
        harness.Options.Adapters.Find(CommandKinds.TraceabilityPublishGenealogy, null).Should().BeNull();
        harness.Options.Adapters.Find(CommandKinds.ErpChangeStockCategory, null).Should().BeSameAs(harness.Plant.Erp);
    }

    [Fact]
    public async Task Constructor_CreateScenarioServices_TheWorkflowsUseThemAndAddSiteRegistersThere()
    {
        ScenarioServices? created = null;
        var options = new OrchestrationTestHarnessOptions { CreateScenarioServices = rules => created = new ScenarioServices(rules) { MaterialCacheDuration = TimeSpan.FromSeconds(1) } };

        await using var harness = new OrchestrationTestHarness(options);
        harness.AddSite(new SiteProfile { Id = RegulatedSite, HoldLocation = new BinId("HOLD-P3"), IsRegulated = true });

        harness.Scenarios.Should().BeSameAs(created);
        created!.Sites.Get(RegulatedSite).IsRegulated.Should().BeTrue();
    }

    private static OrchestrationTestHarness CreateSut(params string[] lots) => CreateSut(new OrchestrationTestHarnessOptions(), lots);

    private static OrchestrationTestHarness CreateSut(OrchestrationTestHarnessOptions options, params string[] lots)
    {
        var harness = new OrchestrationTestHarness(options);
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = Supplier });
        foreach (var lot in lots)
        {
            harness.Plant.AddLot(Lot(lot, StockCategory.QualityInspection), new BinId("RCV-P1"));
        }

        return harness;
    }

    private static OrchestrationTestHarness CreateRegulatedSut(string lot)
    {
        var options = new OrchestrationTestHarnessOptions();
        options.Actors.Add(new Actor { Id = QualityManager, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = RegulatedSite }] });
        options.Actors.Add(new Actor { Id = ShopOperator, Roles = [new RoleAssignment { Role = Role.Operator, Site = RegulatedSite }, new RoleAssignment { Role = Role.OrchestrationOperator, Site = RegulatedSite }] });
        var harness = new OrchestrationTestHarness(options);
        harness.AddSite(new SiteProfile { Id = RegulatedSite, HoldLocation = new BinId("HOLD-P3"), IsRegulated = true });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = Supplier });
        harness.Plant.AddLot(Lot(lot, StockCategory.QualityInspection) with { Site = RegulatedSite }, new BinId("RCV-P3"));
        return harness;
    }

    private static MaterialLot Lot(string lot, StockCategory category) => new()
    {
        Id = new LotId(lot),
        Material = Capacitor,
        Site = Site,
        Supplier = Supplier,
        Unit = UnitOfMeasure.Each,
        Buckets = [new StockBucket { Category = category, Quantity = Quantity.Each(60) }],
    };

    private static EventEnvelope Passed(string lot, string id) => new()
    {
        Id = id,
        Source = "qms://plant-3",
        Type = EventTypes.InspectionPassed,
        Site = RegulatedSite,
        Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + lot), Lot = new LotId(lot), Material = Capacitor, Site = RegulatedSite, Inspector = new ActorId("insp-ines") },
    };

    private static EventEnvelope Failed(string lot, string id) => new()
    {
        Id = id,
        Source = "qms://plant-1",
        Type = EventTypes.InspectionFailed,
        Site = Site,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lot),
            Lot = new LotId(lot),
            Material = Capacitor,
            Site = Site,
            Supplier = Supplier,
            Severity = DefectSeverity.Major,
            DefectDescription = "Capacitance out of tolerance",
        },
    };
}
