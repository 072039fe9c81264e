using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorIntakeTests
{
    [Fact]
    public async Task PublishAsync_SameSourceAndIdTwice_SecondIsDuplicateWithoutSecondEffect()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();

        var first = await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k", "e1"), EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        var second = await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k", "e1"), EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        first.Status.Should().Be(PublishStatus.Accepted);
        second.Status.Should().Be(PublishStatus.Duplicate);
        second.Key.Should().Be(new EventKey(TestWorkflows.Source, "e1"));
        second.Position.Should().BeNull();
        TestWorkflows.Delivered(host.Plant, "k").Should().Equal("e1");
        (await host.Orchestrator.GetAuditTrailAsync("k", EngineTestHost.Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task PublishAsync_SameIdFromAnotherSource_IsADifferentEvent()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"), TestWorkflows.Signal("k", "e1", source: "test://line-2"));

        TestWorkflows.Delivered(host.Plant, "k").Should().Equal("e1", "e1");
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task PublishBatchAsync_DuplicatesInsideOneBatch_OnlyFirstAccepted()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();

        var results = await host.Orchestrator.PublishBatchAsync(
            [TestWorkflows.Signal("k", "e1"), TestWorkflows.Signal("k", "e2"), TestWorkflows.Signal("k", "e1"), TestWorkflows.Signal("j", "e2")],
            EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        results.Select(r => r.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Accepted, PublishStatus.Duplicate, PublishStatus.Duplicate);
        TestWorkflows.Delivered(host.Plant, "k").Should().Equal("e1", "e2");
        TestWorkflows.Delivered(host.Plant, "j").Should().BeEmpty("same source and id is the same event, whatever its partition key");
        host.Orchestrator.Backlog.Should().Be(0);
    }

    [Fact]
    public async Task PublishBatchAsync_MixOfValidAndInvalid_EachGetsItsOwnResultAndOnlyValidRun()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();

        var results = await host.Orchestrator.PublishBatchAsync(
            [TestWorkflows.Signal("k", "ok-1"), TestWorkflows.Signal("k", "bad\u0007id"), TestWorkflows.Signal("k", "ok-2")],
            EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        results.Select(r => r.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Rejected, PublishStatus.Accepted);
        results[1].Errors.Should().ContainSingle(e => e.Path == "$.id");
        TestWorkflows.Delivered(host.Plant, "k").Should().Equal("ok-1", "ok-2");
    }

    [Fact]
    public async Task PublishAsync_InvalidEvents_RejectedWithPathsAndCodesRecordedAndNothingElseHappens()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        var controlCharacterId = TestWorkflows.Signal("k", "evt\u0001x");
        var unknownType = TestWorkflows.Signal("k", "evt-2") with { Type = "mfg.unknown.thing.v1" };
        var zeroQuantity = new EventEnvelope
        {
            Id = "evt-3",
            Source = TestWorkflows.Source,
            Type = EventTypes.GoodsReceived,
            Site = EngineTestHost.Site,
            Data = new GoodsReceived { Lot = new LotId("L-1"), Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Quantity = Quantity.Each(0) },
        };

        var results = new List<PublishResult>();
        foreach (var envelope in new[] { controlCharacterId, unknownType, zeroQuantity })
        {
            results.Add(await host.Orchestrator.PublishAsync(envelope, EngineTestHost.Ct));
        }

        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        results.Should().OnlyContain(r => r.Status == PublishStatus.Rejected);
        results[0].Errors.Should().Contain(e => e.Path == "$.id" && e.ReasonCode == ReasonCodes.InvalidIdentifier);
        results[0].Key.Should().Be(new EventKey(TestWorkflows.Source, "evt\u0001x"));
        results[1].Errors.Should().Contain(e => e.Path == "$.type" && (e.ReasonCode == ReasonCodes.UnknownEventType || e.ReasonCode == ReasonCodes.EventTypeMismatch));
        results[2].Errors.Should().ContainSingle().Which.Should().Match<Model.Validation.ValidationError>(e => e.Path == "$.data.quantity.value" && e.ReasonCode == ReasonCodes.NonPositiveQuantity);

        var recorded = await host.Store.ReadRejectionsAsync(null, null, 100, EngineTestHost.Ct);
        recorded.Should().HaveCount(3);
        recorded.Should().OnlyContain(r => r.Channel == "api" && r.Source == TestWorkflows.Source && r.ReceivedAt == host.Time.GetUtcNow());
        recorded.Select(r => r.EventId).Should().BeEquivalentTo(["evt\\u0001x", "evt-2", "evt-3"], "a refused id is recorded as printable text");
        recorded.Single(r => r.EventId == "evt-3").Reasons.Should().ContainSingle(r => r.Path == "$.data.quantity.value" && r.Code == ReasonCodes.NonPositiveQuantity);
        recorded.Single(r => r.EventId == "evt-2").Type.Should().Be("mfg.unknown.thing.v1");

        host.Plant.Effects.Records.Should().BeEmpty();
        (await host.Store.ReadPendingEventsAsync(null, 0, 100, EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Store.ReadAuditPartitionsAsync(EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Orchestrator.GetPartitionAsync("k", EngineTestHost.Ct)).Should().BeNull();
        host.Orchestrator.IsRunning.Should().BeTrue();

        // A rejected id is not remembered as accepted: the corrected event goes through.
        (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k", "evt-2"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted);
    }

    [Fact]
    public async Task RecordRejectionAsync_NegativeQuantityInJson_RecordedWithPathCodeAndExcerpt()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        const string json = """
            {"specversion":"1.0","id":"gr-1","source":"erp://s4","type":"mfg.inventory.goods-received.v1","site":"P1",
             "data":{"lot":"L-9","material":"CAP-100UF","site":"P1","quantity":{"value":-5,"unit":"EA"}}}
            """;
        var parsed = EventSerializer.Default.Parse(json);
        parsed.IsSuccess.Should().BeFalse();

        var result = await host.Orchestrator.RecordRejectionAsync("webhook", parsed.Errors, json[..40], EngineTestHost.Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Should().Contain(e => e.ReasonCode == ReasonCodes.NegativeQuantity && e.Path.StartsWith("$.data.quantity", StringComparison.Ordinal));
        var recorded = (await host.Store.ReadRejectionsAsync(null, null, 10, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        recorded.Channel.Should().Be("webhook");
        recorded.Excerpt.Should().Be(json[..40]);
        recorded.Reasons.Should().Contain(r => r.Code == ReasonCodes.NegativeQuantity);
        host.Plant.Effects.Records.Should().BeEmpty();
        (await host.Store.ReadPendingEventsAsync(null, 0, 10, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task PublishAsync_BeforeStart_Throws()
    {
        await using var host = TestWorkflows.NotifyHost();

        var publish = async () => await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k", "e1"), EngineTestHost.Ct);

        await publish.Should().ThrowAsync<InvalidOperationException>().WithMessage("*StartAsync*");
        (await host.Store.ReadPendingEventsAsync(null, 0, 10, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task PublishAsync_AfterStop_Throws()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        var publish = async () => await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k", "e1"), EngineTestHost.Ct);

        await publish.Should().ThrowAsync<InvalidOperationException>();
        host.Orchestrator.IsRunning.Should().BeFalse();
    }

    [Fact]
    public async Task PublishAsync_EventTypeWithoutWorkflow_AcceptedAndAuditedAsIgnored()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        var envelope = new EventEnvelope
        {
            Id = "lc-1",
            Source = TestWorkflows.Source,
            Type = EventTypes.LotConsumed,
            Site = EngineTestHost.Site,
            Data = new LotConsumed { Lot = new LotId("L-77"), Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Order = new OrderId("WO-9"), Quantity = Quantity.Each(1) },
        };

        await host.PublishAndWaitAsync(envelope);

        var audit = await host.Orchestrator.GetAuditTrailAsync("L-77", EngineTestHost.Ct);
        audit.Should().ContainSingle().Which.Action.Should().Be("ignored");
        host.Plant.Effects.Records.Should().NotContain(r => r.System != CommandKinds.NotificationSystem);
        host.Plant.Notification.Sent.Should().BeEmpty();
    }
}
