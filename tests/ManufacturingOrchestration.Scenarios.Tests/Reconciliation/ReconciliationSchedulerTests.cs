using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Scenarios.Reconciliation;

namespace ManufacturingOrchestration.Scenarios.Tests.Reconciliation;

public class ReconciliationSchedulerTests
{
    [Fact]
    public async Task Start_EveryInterval_RunsTheReconcilerOverTheNamedLots()
    {
        await using var host = await DriftReconcilerTests.CreateHost().StartAsync();
        await DriftReconcilerTests.SeedAsync(host, StoreSeed.Lot("L-1", (StockCategory.Blocked, 10)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-1", (StockCategory.Unrestricted, 10)));
        var reconciler = DriftReconcilerTests.CreateSut(host);
        var asked = 0;
        await using var sut = new ReconciliationScheduler(reconciler, _ => { Interlocked.Increment(ref asked); return ValueTask.FromResult<IReadOnlyList<LotId>>([new LotId("L-1")]); }, TimeSpan.FromMinutes(15), host.Time);

        var start = host.Time.GetUtcNow();
        sut.Start();
        await WaitForAsync(() => sut.NextRunAt == start + TimeSpan.FromMinutes(15));
        host.Time.Advance(TimeSpan.FromMinutes(14));
        var beforeDue = sut.CompletedRuns;
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await WaitForAsync(() => sut.CompletedRuns == 1 && sut.NextRunAt == start + TimeSpan.FromMinutes(30));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        host.Time.Advance(TimeSpan.FromMinutes(15));
        await WaitForAsync(() => sut.CompletedRuns == 2);

        beforeDue.Should().Be(0);
        asked.Should().Be(2);
        reconciler.RecentReports.Should().HaveCount(2).And.OnlyContain(r => r.HasDrift);
        reconciler.RecentReports[0].AlertsRaised.Should().Equal(new LotId("L-1"));
        reconciler.RecentReports[1].AlertsAlreadyRaised.Should().Equal(new LotId("L-1"));
        sut.LastError.Should().BeNull();
    }

    [Fact]
    public async Task Start_FailingLotSource_RecordsTheErrorAndKeepsTheSchedule()
    {
        await using var host = await DriftReconcilerTests.CreateHost().StartAsync();
        var calls = 0;
        await using var sut = new ReconciliationScheduler(
            DriftReconcilerTests.CreateSut(host),
            _ => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("ERP down") : ValueTask.FromResult<IReadOnlyList<LotId>>([]),
            TimeSpan.FromMinutes(5),
            host.Time);

        var start = host.Time.GetUtcNow();
        sut.Start();
        await WaitForAsync(() => sut.NextRunAt == start + TimeSpan.FromMinutes(5));
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await WaitForAsync(() => sut.CompletedRuns == 1 && sut.NextRunAt == start + TimeSpan.FromMinutes(10));
        var error = sut.LastError;
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await WaitForAsync(() => sut.CompletedRuns == 2);

        error.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("ERP down");
        sut.LastError.Should().BeNull();
    }

    [Fact]
    public async Task Start_RunWhenFalse_SkipsTheRunsUntilItIsTrue()
    {
        await using var host = await DriftReconcilerTests.CreateHost().StartAsync();
        var asked = 0;
        var holdsSingleton = false;
        await using var sut = new ReconciliationScheduler(DriftReconcilerTests.CreateSut(host), _ => { Interlocked.Increment(ref asked); return ValueTask.FromResult<IReadOnlyList<LotId>>([]); }, TimeSpan.FromMinutes(5), host.Time)
        {
            RunWhen = () => Volatile.Read(ref holdsSingleton),
        };

        var start = host.Time.GetUtcNow();
        sut.Start();
        await WaitForAsync(() => sut.NextRunAt == start + TimeSpan.FromMinutes(5));
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await WaitForAsync(() => sut.SkippedRuns == 1 && sut.NextRunAt == start + TimeSpan.FromMinutes(10));
        Volatile.Write(ref holdsSingleton, true);
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await WaitForAsync(() => sut.CompletedRuns == 1);

        asked.Should().Be(1, "the skipped run did not ask for lots");
        sut.SkippedRuns.Should().Be(1);
    }

    [Fact]
    public async Task DisposeAsync_StopsTheSchedule()
    {
        await using var host = await DriftReconcilerTests.CreateHost().StartAsync();
        var sut = new ReconciliationScheduler(DriftReconcilerTests.CreateSut(host), _ => ValueTask.FromResult<IReadOnlyList<LotId>>([]), TimeSpan.FromMinutes(5), host.Time);
        sut.Start();

        await sut.DisposeAsync();
        host.Time.Advance(TimeSpan.FromMinutes(30));

        sut.IsRunning.Should().BeFalse("disposing waited for the loop to end, so nothing can run after it");
        sut.CompletedRuns.Should().Be(0);
    }

    /// <summary>Polls for a condition the scheduler's own thread makes true, for at most about 30 s.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10, EngineTestHost.Ct);
        }

        condition().Should().BeTrue();
    }
}
