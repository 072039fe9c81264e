using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Tests.Operations;

public class OperatorQueriesTests
{
    [Fact]
    public async Task GetDeadLettersAsync_SeededFailure_FilteredBySiteLotAndWorkflow()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k1", "e1"));
        var sut = new OperatorQueries(host.Orchestrator);

        var all = await sut.GetDeadLettersAsync(OperatorQueryFilter.None, includeResolved: false, EngineTestHost.Ct);
        var bySite = await sut.GetDeadLettersAsync(new OperatorQueryFilter { Site = EngineTestHost.Site }, false, EngineTestHost.Ct);
        var otherSite = await sut.GetDeadLettersAsync(new OperatorQueryFilter { Site = new SiteId("P9") }, false, EngineTestHost.Ct);
        var byKey = await sut.GetDeadLettersAsync(new OperatorQueryFilter { PartitionKey = "k1", Workflow = "notify" }, false, EngineTestHost.Ct);
        var otherWorkflow = await sut.GetDeadLettersAsync(new OperatorQueryFilter { Workflow = "incoming-inspection" }, false, EngineTestHost.Ct);
        var later = await sut.GetDeadLettersAsync(new OperatorQueryFilter { From = host.Time.GetUtcNow().AddMinutes(1) }, false, EngineTestHost.Ct);

        all.Should().ContainSingle().Which.PartitionKey.Should().Be("k1");
        bySite.Should().ContainSingle();
        otherSite.Should().BeEmpty();
        byKey.Should().ContainSingle();
        otherWorkflow.Should().BeEmpty();
        later.Should().BeEmpty();
    }

    [Fact]
    public async Task GetParkedKeysAsync_KeyParkedByADeadLetter_ListedWithItsReason()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k2", "e2"), TestWorkflows.Signal("k3", "e3"));
        var sut = new OperatorQueries(host.Orchestrator);

        var parked = await sut.GetParkedKeysAsync(OperatorQueryFilter.None, EngineTestHost.Ct);

        // The two keys run on parallel workers: whichever executed first met the injected failure.
        var key = parked.Should().ContainSingle().Subject;
        key.PartitionKey.Should().BeOneOf("k2", "k3");
        var other = key.PartitionKey == "k2" ? "k3" : "k2";
        key.Site.Should().Be(EngineTestHost.Site.Value);
        key.OpenDeadLetters.Should().Be(1);
        key.ReasonCode.Code.Should().NotBeNullOrEmpty();
        (await sut.GetParkedKeysAsync(new OperatorQueryFilter { PartitionKey = other }, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task GetRejectionsAsync_SeededRejections_FilteredBySiteAndTime()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k4", "bad\u0001"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Rejected);
        host.Time.Advance(TimeSpan.FromMinutes(10));
        await host.Orchestrator.RecordRejectionAsync("file:drop.jsonl", [new ValidationError("$", ReasonCodes.MalformedJson, "Not JSON.")], "{oops", EngineTestHost.Ct);
        var sut = new OperatorQueries(host.Orchestrator);

        var all = await sut.GetRejectionsAsync(OperatorQueryFilter.None, EngineTestHost.Ct);
        var bySite = await sut.GetRejectionsAsync(new OperatorQueryFilter { Site = EngineTestHost.Site }, EngineTestHost.Ct);
        var recent = await sut.GetRejectionsAsync(new OperatorQueryFilter { From = host.Time.GetUtcNow().AddMinutes(-1) }, EngineTestHost.Ct);
        var byLot = async () => await sut.GetRejectionsAsync(new OperatorQueryFilter { Lot = new LotId("L-1") }, EngineTestHost.Ct);

        all.Should().HaveCount(2);
        bySite.Should().ContainSingle().Which.EventId.Should().Be("bad\\u0001", "a refused id is recorded as printable text");
        recent.Should().ContainSingle().Which.Channel.Should().Be("file:drop.jsonl");
        await byLot.Should().ThrowAsync<ArgumentException>().WithMessage("*lot*");
    }

    [Fact]
    public async Task GetSlaBreachesAsync_SeededBreaches_FilteredByKeySiteWorkflowAndTime()
    {
        await using var host = new EngineTestHost();
        var t0 = host.Time.GetUtcNow();
        await StoreSeed.SeedAsync(host.Store, new PartitionState { Key = "L-1", Lot = StoreSeed.Lot("L-1", (StockCategory.Unrestricted, 1)) },
            ("approval-requested", "release", "finished-goods-release", t0),
            (OperatorQueries.SlaBreachedAction, "sla.breached: level 1", "finished-goods-release", t0.AddHours(4)));
        await StoreSeed.SeedAsync(host.Store, new PartitionState { Key = "L-2", Lot = StoreSeed.Lot("L-2", (StockCategory.Unrestricted, 1)) with { Site = new SiteId("P2") } },
            (OperatorQueries.SlaBreachedAction, "sla.breached: level 1", "mrb-disposition", t0.AddHours(8)));
        var sut = new OperatorQueries(host.Orchestrator);

        var all = await sut.GetSlaBreachesAsync(OperatorQueryFilter.None, EngineTestHost.Ct);
        var atP1 = await sut.GetSlaBreachesAsync(new OperatorQueryFilter { Site = EngineTestHost.Site }, EngineTestHost.Ct);
        var mrb = await sut.GetSlaBreachesAsync(new OperatorQueryFilter { Workflow = "mrb-disposition" }, EngineTestHost.Ct);
        var lot1 = await sut.GetSlaBreachesAsync(new OperatorQueryFilter { Lot = new LotId("L-1") }, EngineTestHost.Ct);
        var early = await sut.GetSlaBreachesAsync(new OperatorQueryFilter { To = t0.AddHours(5) }, EngineTestHost.Ct);

        all.Select(r => r.PartitionKey).Should().Equal("L-1", "L-2");
        atP1.Should().ContainSingle().Which.PartitionKey.Should().Be("L-1");
        mrb.Should().ContainSingle().Which.PartitionKey.Should().Be("L-2");
        lot1.Should().ContainSingle().Which.Action.Should().Be(OperatorQueries.SlaBreachedAction);
        early.Should().ContainSingle().Which.PartitionKey.Should().Be("L-1");
    }

    [Fact]
    public async Task GetPendingApprovalsAsync_AcrossKeys_FilteredBySiteAndWorkflow()
    {
        await using var host = new EngineTestHost();
        var t0 = host.Time.GetUtcNow();
        await SeedApprovalAsync(host.Store, "L-1", "finished-goods-release", EngineTestHost.Site, t0);
        await SeedApprovalAsync(host.Store, "order/WO-1", "production-confirmation", new SiteId("P2"), t0.AddMinutes(5));
        var sut = new OperatorQueries(host.Orchestrator);

        var all = await sut.GetPendingApprovalsAsync(OperatorQueryFilter.None, EngineTestHost.Ct);
        var atP2 = await sut.GetPendingApprovalsAsync(new OperatorQueryFilter { Site = new SiteId("P2") }, EngineTestHost.Ct);
        var release = await sut.GetPendingApprovalsAsync(new OperatorQueryFilter { Workflow = "finished-goods-release" }, EngineTestHost.Ct);

        all.Select(a => a.PartitionKey).Should().Equal("L-1", "order/WO-1");
        atP2.Should().ContainSingle().Which.PartitionKey.Should().Be("order/WO-1");
        release.Should().ContainSingle().Which.Approval.RequestId.Should().Be("req-L-1");
    }

    [Fact]
    public async Task GetPendingApprovalsAsync_ManyKeysSomeWaiting_ReadsOnlyTheWaitingKeysThroughTheStoreIndex()
    {
        var (store, calls) = CountingStoreProxy.Create();
        var t0 = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var waiting = new List<string>();
        for (var i = 0; i < 1500; i++)
        {
            var key = $"L-{i:D4}";
            if (i % 5 < 2)
            {
                // Requested in an order unlike the key order, so the answer's order is the query's own.
                await SeedApprovalAsync(store, key, "finished-goods-release", EngineTestHost.Site, t0.AddMinutes(1500 - i));
                waiting.Add(key);
            }
            else
            {
                await StoreSeed.SeedAsync(store, new PartitionState { Key = key }, ("transition", "released", "finished-goods-release", t0));
            }
        }

        var answered = waiting.Take(50).ToArray();
        foreach (var key in answered)
        {
            await StoreSeed.SeedAsync(store, new PartitionState { Key = key }, ("approval", "approved", "finished-goods-release", t0.AddDays(1)));
        }

        calls.Clear();
        var sut = new OperatorQueries(store);

        var pending = await sut.GetPendingApprovalsAsync(OperatorQueryFilter.None, EngineTestHost.Ct);

        var expected = waiting.Skip(50).Reverse().ToArray();
        pending.Select(p => p.PartitionKey).Should().Equal(expected, "every key still waiting, oldest request first, the answered ones gone");
        calls.GetValueOrDefault(nameof(IOrchestrationStore.ReadAuditPartitionsAsync)).Should().Be(0, "no scan of every key with an audit trail");
        calls.GetValueOrDefault(nameof(IOrchestrationStore.LoadPartitionAsync)).Should().Be(expected.Length, "one state read per waiting key, none for the other 950 keys");
        calls.GetValueOrDefault(nameof(IOrchestrationStore.ReadPartitionsWaitingForAsync)).Should().Be(2, "550 waiting keys come in two pages of the index");
    }

    [Fact]
    public async Task GetSlaBreachesAsync_ManyKeysFewBreaches_ReadsTheActionIndexNotEveryTrail()
    {
        var (store, calls) = CountingStoreProxy.Create();
        var t0 = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 300; i++)
        {
            var key = $"L-{i:D3}";
            var lot = StoreSeed.Lot(key, (StockCategory.QualityInspection, 1)) with { Site = i % 2 == 0 ? EngineTestHost.Site : new SiteId("P2") };
            if (i % 100 == 7)
            {
                await StoreSeed.SeedAsync(store, new PartitionState { Key = key, Lot = lot }, ("approval-requested", "release", "finished-goods-release", t0), (OperatorQueries.SlaBreachedAction, "sla.breached: level 1", "finished-goods-release", t0.AddHours(10 - (i / 100))));
            }
            else
            {
                await StoreSeed.SeedAsync(store, new PartitionState { Key = key, Lot = lot }, ("transition", "inspected", "incoming-inspection", t0));
            }
        }

        calls.Clear();
        var sut = new OperatorQueries(store);

        var all = await sut.GetSlaBreachesAsync(OperatorQueryFilter.None, EngineTestHost.Ct);
        var allCalls = new Dictionary<string, int>(calls);
        calls.Clear();
        var atP2 = await sut.GetSlaBreachesAsync(new OperatorQueryFilter { Site = new SiteId("P2") }, EngineTestHost.Ct);

        all.Select(r => r.PartitionKey).Should().Equal("L-207", "L-107", "L-007");
        allCalls.Keys.Should().Equal([nameof(IOrchestrationStore.ReadAuditByActionAsync)], "one indexed read, no trail of any key");
        atP2.Select(r => r.PartitionKey).Should().Equal("L-207", "L-107", "L-007");
        calls.GetValueOrDefault(nameof(IOrchestrationStore.LoadPartitionAsync)).Should().Be(3, "a site filter reads the state of the breached keys only");
        (await sut.GetSlaBreachesAsync(new OperatorQueryFilter { Site = EngineTestHost.Site }, EngineTestHost.Ct)).Should().BeEmpty("every breached lot is at P2");
    }

    private static Task<PartitionState> SeedApprovalAsync(IOrchestrationStore store, string key, string workflow, SiteId site, DateTimeOffset at)
    {
        var pending = new PendingApproval
        {
            RequestId = "req-" + key.Replace("/", "-", StringComparison.Ordinal),
            Role = Role.QualityManager,
            Site = site,
            Subject = "Approve " + key,
            ReasonCode = ReasonCodes.ApprovalRequired,
            Gate = "ReleaseLot",
            RequestedAt = at,
        };
        return StoreSeed.SeedAsync(
            store,
            new PartitionState
            {
                Key = key,
                Instances =
                [
                    new WorkflowInstanceState
                    {
                        Id = pending.RequestId, Workflow = workflow, Version = 1, Fingerprint = "f", StartedBy = new EventKey("qms://p1", "e-" + pending.RequestId),
                        WaitingFor = ApprovalRequest.WaitingFor, Since = at, Data = ApprovalStore.Write(pending),
                    },
                ],
            },
            ("approval-requested", "needs approval", workflow, at));
    }

    /// <summary>An in-memory store that counts the calls of each store method (a proxy, so it follows the interface as it grows).</summary>
    public class CountingStoreProxy : DispatchProxy
    {
        private readonly InMemoryOrchestrationStore _inner = new();

        private ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

        public static (IOrchestrationStore Store, ConcurrentDictionary<string, int> Calls) Create()
        {
            var store = DispatchProxy.Create<IOrchestrationStore, CountingStoreProxy>();
            return (store, ((CountingStoreProxy)(object)store).Calls);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            Calls.AddOrUpdate(targetMethod.Name, 1, static (_, count) => count + 1);
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
