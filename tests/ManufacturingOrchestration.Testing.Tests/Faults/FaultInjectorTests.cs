using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Faults;

public sealed class FaultInjectorTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;

    private static (ErpSimulator Erp, FaultInjector Faults, FakeTimeProvider Time) CreateSut(int seed = 7)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 12, 6, 0, 0, TimeSpan.Zero));
        var faults = new FaultInjector(time, seed);
        var erp = new ErpSimulator(new SimulatorOptions { TimeProvider = time, Faults = faults });
        erp.AddLot(LotWith(unrestricted: 1_000_000));
        return (erp, faults, time);
    }

    private static async Task<List<AdapterResultStatus>> RunAsync(ErpSimulator erp)
    {
        var statuses = new List<AdapterResultStatus>();
        for (var i = 0; i < 200; i++)
        {
            statuses.Add((await erp.ChangeStockCategoryAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked, key: $"k-{i}"), s_ct)).Status);
        }

        return statuses;
    }

    [Fact]
    public async Task TransientFailureRate_SameSeed_SameOutcomesAndRoughlyTheRate()
    {
        var (first, firstFaults, _) = CreateSut(seed: 42);
        var (second, secondFaults, _) = CreateSut(seed: 42);
        firstFaults.Configure(CommandKinds.ErpChangeStockCategory, new FaultProfile { TransientFailureRate = 0.3 });
        secondFaults.Configure("erp.*", new FaultProfile { TransientFailureRate = 0.3 });

        var a = await RunAsync(first);
        var b = await RunAsync(second);

        a.Should().Equal(b);
        a.Count(s => s == AdapterResultStatus.TransientFailure).Should().BeInRange(35, 85);
        firstFaults.InjectedCount(CommandKinds.ErpChangeStockCategory).Should().Be(a.Count(s => s == AdapterResultStatus.TransientFailure));
    }

    [Fact]
    public async Task TransientFailureRate_DifferentSeed_DifferentOutcomes()
    {
        var (first, firstFaults, _) = CreateSut(seed: 1);
        var (second, secondFaults, _) = CreateSut(seed: 2);
        firstFaults.Configure("*", new FaultProfile { TransientFailureRate = 0.5 });
        secondFaults.Configure("*", new FaultProfile { TransientFailureRate = 0.5 });

        (await RunAsync(first)).Should().NotEqual(await RunAsync(second));
    }

    [Fact]
    public async Task TransientFailure_RetriedWithSameKey_EventuallySucceedsAndAppliesOnce()
    {
        var (erp, faults, _) = CreateSut();
        faults.Configure(CommandKinds.ErpChangeStockCategory, new FaultProfile { TransientFailureRate = 0.5, RetryAfter = TimeSpan.FromSeconds(3) });

        AdapterResult result;
        var attempts = 0;
        do
        {
            attempts++;
            result = await erp.ChangeStockCategoryAsync(Change(5, StockCategory.Unrestricted, StockCategory.Blocked, key: "retry-me"), s_ct);
            if (result.IsTransient)
            {
                result.RetryAfter.Should().Be(TimeSpan.FromSeconds(3));
            }
        }
        while (result.IsTransient && attempts < 50);

        result.IsSuccess.Should().BeTrue();
        erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(5);
    }

    [Fact]
    public async Task PermanentFailureRate_One_RefusesEveryCallWithoutEffect()
    {
        var (erp, faults, _) = CreateSut();
        faults.Configure(CommandKinds.ErpChangeStockCategory, new FaultProfile { PermanentFailureRate = 1 });

        var result = await erp.ChangeStockCategoryAsync(Change(5, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        result.Reason.Should().Be(ReasonCodes.AdapterPermanent);
        erp.AppliedEffects.Should().BeEmpty();
    }

    [Fact]
    public async Task Latency_IsAwaitedOnTheTimeProvider()
    {
        var (erp, faults, time) = CreateSut();
        faults.Configure(CommandKinds.ErpChangeStockCategory, new FaultProfile { Latency = TimeSpan.FromSeconds(2) });

        var call = erp.ChangeStockCategoryAsync(Change(5, StockCategory.Unrestricted, StockCategory.Blocked), s_ct).AsTask();
        var completedBeforeAdvance = call.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(2));
        var result = await call;

        completedBeforeAdvance.Should().BeFalse();
        result.IsSuccess.Should().BeTrue();
    }

    [Fact]
    public async Task Latency_Cancelled_ThrowsWithoutEffect()
    {
        var (erp, faults, _) = CreateSut();
        faults.Configure("*", new FaultProfile { Latency = TimeSpan.FromMinutes(1) });
        using var cts = new CancellationTokenSource();

        var call = erp.ChangeStockCategoryAsync(Change(5, StockCategory.Unrestricted, StockCategory.Blocked), cts.Token).AsTask();
        await cts.CancelAsync();

        await call.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
        erp.AppliedEffects.Should().BeEmpty();
    }

    [Fact]
    public async Task ScheduleOutage_FailsInsideWindowAndRecoversAfter()
    {
        var (erp, faults, time) = CreateSut();
        faults.ScheduleOutage("erp.*", TimeSpan.FromMinutes(10), startIn: TimeSpan.FromMinutes(1));

        var before = await erp.ChangeStockCategoryAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);
        time.Advance(TimeSpan.FromMinutes(2));
        var during = await erp.ChangeStockCategoryAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);
        var queryDuring = async () => await erp.GetLotAsync(Lot, s_ct);
        await queryDuring.Should().ThrowAsync<SimulatedFaultException>();
        time.Advance(TimeSpan.FromMinutes(9));
        var after = await erp.ChangeStockCategoryAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);

        before.IsSuccess.Should().BeTrue();
        during.IsTransient.Should().BeTrue();
        during.RetryAfter.Should().Be(TimeSpan.FromMinutes(9));
        after.IsSuccess.Should().BeTrue();
    }

    [Fact]
    public async Task FailNext_FailsExactlyThatManyCalls()
    {
        var (erp, faults, _) = CreateSut();
        faults.FailNext(CommandKinds.ErpChangeStockCategory, 2);

        var results = new List<AdapterResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await erp.ChangeStockCategoryAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked, key: "same"), s_ct));
        }

        results.Select(r => r.Status).Should().Equal(AdapterResultStatus.TransientFailure, AdapterResultStatus.TransientFailure, AdapterResultStatus.Succeeded);
        faults.TotalInjected.Should().Be(2);
    }

    [Fact]
    public async Task FailCausedBy_FailsOnlyTheFirstCallForThatEventAndKind()
    {
        var (erp, faults, _) = CreateSut();
        faults.FailCausedBy(CommandKinds.ErpChangeStockCategory, "evt-2");

        var other = await erp.ChangeStockCategoryAsync(CausedBy("evt-1", "k-1"), s_ct);
        var hit = await erp.ChangeStockCategoryAsync(CausedBy("evt-2", "k-2"), s_ct);
        var replay = await erp.ChangeStockCategoryAsync(CausedBy("evt-2", "k-2"), s_ct);
        var another = await erp.ChangeStockCategoryAsync(CausedBy("evt-2", "k-3"), s_ct);

        other.Status.Should().Be(AdapterResultStatus.Succeeded, "the fault is addressed to another event");
        hit.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        hit.Message.Should().Be("Injected permanent failure of erp.change-stock-category for event evt-2 (scripted).");
        replay.Status.Should().Be(AdapterResultStatus.Succeeded, "only the first call for the event fails");
        another.Status.Should().Be(AdapterResultStatus.Succeeded);
        faults.InjectedCount(CommandKinds.ErpChangeStockCategory).Should().Be(1);
    }

    [Fact]
    public async Task FailNext_Stale_AnswersAStaleRefusalWithoutEffect()
    {
        var (erp, faults, _) = CreateSut();
        faults.FailNext(CommandKinds.ErpChangeStockCategory, 1, AdapterResultStatus.Stale);

        var refused = await erp.ChangeStockCategoryAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-1"), s_ct);
        var next = await erp.ChangeStockCategoryAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-1"), s_ct);

        refused.Status.Should().Be(AdapterResultStatus.Stale);
        refused.Reason.Should().Be(ReasonCodes.InsufficientQuantity);
        next.Status.Should().Be(AdapterResultStatus.Succeeded, "the refused call took no effect, so its key is still free");
    }

    [Fact]
    public void FailNext_Success_IsRefusedAsNotAFailure()
    {
        var (_, faults, _) = CreateSut();

        var script = () => faults.FailNext(CommandKinds.ErpChangeStockCategory, 1, AdapterResultStatus.Succeeded);

        script.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task FailCausedBy_OtherKindOfTheSameEvent_GoesAhead()
    {
        var (erp, faults, _) = CreateSut();
        faults.FailCausedBy(CommandKinds.ErpPostGoodsMovement, "evt-1", AdapterResultStatus.TransientFailure);

        var change = await erp.ChangeStockCategoryAsync(CausedBy("evt-1", "k-1"), s_ct);

        change.Status.Should().Be(AdapterResultStatus.Succeeded);
        faults.TotalInjected.Should().Be(0);
    }

    [Fact]
    public async Task FailCausedBy_Transient_IsRetriable()
    {
        var (erp, faults, _) = CreateSut();
        faults.FailCausedBy(CommandKinds.ErpChangeStockCategory, "evt-1", AdapterResultStatus.TransientFailure);

        var first = await erp.ChangeStockCategoryAsync(CausedBy("evt-1", "k-1"), s_ct);
        var retry = await erp.ChangeStockCategoryAsync(CausedBy("evt-1", "k-1"), s_ct);

        first.Status.Should().Be(AdapterResultStatus.TransientFailure);
        retry.Status.Should().Be(AdapterResultStatus.Succeeded);
    }

    [Fact]
    public async Task Clear_RemovesFaultsAddressedToEvents()
    {
        var (erp, faults, _) = CreateSut();
        faults.FailCausedBy(CommandKinds.ErpChangeStockCategory, "evt-1");
        faults.Clear();

        var result = await erp.ChangeStockCategoryAsync(CausedBy("evt-1", "k-1"), s_ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
    }

    [Fact]
    public void FailCausedBy_SucceededStatus_Throws()
    {
        var (_, faults, _) = CreateSut();

        faults.Invoking(f => f.FailCausedBy(CommandKinds.ErpChangeStockCategory, "evt-1", AdapterResultStatus.Succeeded)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static ChangeStockCategoryRequest CausedBy(string eventId, string key)
    {
        var request = Change(1, StockCategory.Unrestricted, StockCategory.Blocked, key);
        return request with { Context = request.Context! with { CausationId = eventId } };
    }

    [Fact]
    public void Configure_RateAboveOne_Throws()
    {
        var (_, faults, _) = CreateSut();

        faults.Invoking(f => f.Configure("*", new FaultProfile { TransientFailureRate = 1.5 })).Should().Throw<ArgumentOutOfRangeException>();
    }
}
