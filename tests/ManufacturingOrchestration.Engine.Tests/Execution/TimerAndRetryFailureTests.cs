using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class TimerAndRetryFailureTests
{
    private const string AlertSubject = "Overdue:";

    /// <summary>Longer than any wait the engine arms for its own work, shorter than the longest delay a timer takes.</summary>
    private static readonly TimeSpan LongWait = TimeSpan.FromDays(49);

    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task TimerHandlerFails_TheTimerIsTriedAgainShortlyAndFires()
    {
        // The step-deadline timer is read once with data its handler cannot read. The handler's failure must not leave
        // the timer marked as in progress for the life of the process: it is read and handled again after a short wait.
        var logs = new CapturingLoggerFactory();
        var (host, faults) = await StartWithDeadlineAsync("L-T1", "t-1", logs);
        await using var _ = host;

        faults.CorruptDueTimerReads = 1;
        host.Time.Advance(TimeSpan.FromMinutes(11));
        await AdvanceUntilAsync(host, () => host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Count > 0, "the deadline's alert is sent once its timer is handled again");
        await host.WaitForIdleAsync();

        faults.CorruptDueTimerReads.Should().BeNegative("the timer was read once with unreadable data");
        logs.Entries.Where(e => e.Id.Id == 1001).Should().ContainSingle("the handler failed on the unreadable copy only");
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        (await host.Orchestrator.GetAuditTrailAsync("L-T1", Ct)).Should().ContainSingle(a => a.Action == "sla-breached");
        (await host.Store.ReadNextTimerDueAsync(Ct)).Should().BeAfter(host.Time.GetUtcNow(), "only the ERP command's retry timer is left");
    }

    [Fact]
    public async Task TimerHandlerKeepsFailing_ItIsTriedLessAndLessOftenAndFiresOnceItCanBeRead()
    {
        // The step-deadline timer's data stays unreadable: it is tried again after a wait that doubles each time, not five
        // times a second for ever (each try logs an error); once it can be read, it fires.
        var logs = new CapturingLoggerFactory();
        var (host, faults) = await StartWithDeadlineAsync("L-T3", "t-3", logs);
        await using var _ = host;
        int Failures() => logs.Entries.Count(e => e.Id.Id == 1001);

        faults.CorruptDueTimerReads = 1_000_000;
        host.Time.Advance(TimeSpan.FromMinutes(11));
        await UntilAsync(() => Failures() >= 1, "the deadline's timer is handled and fails");

        // A minute of the clock, a quarter-second at a time: at a fixed 200 ms that would be up to 240 more tries.
        for (var step = 0; step < 240; step++)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5, Ct);
        }

        Failures().Should().BeInRange(1, 10, "the waits double: 0.2, 0.4, 0.8 … 51.2 s add up past a minute after nine tries");

        faults.CorruptDueTimerReads = 0;
        var waited = Stopwatch.StartNew();
        while (host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Count == 0 && waited.Elapsed < EngineTestHost.IdleTimeout)
        {
            host.Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(20, Ct);
        }

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle("the timer fires once its data can be read (the longest wait is five minutes)");
    }

    [Theory]
    [InlineData("step-deadline")]
    [InlineData("sla")]
    public async Task TimerDataStaysUnreadable_ItIsRemovedAfterTheRetriesWithTheProblemAuditedAndTheKeyGoesOn(string purpose)
    {
        // A timer of the partition "a" whose stored data is damaged: tried as often as a failed query, then removed, with
        // the problem in the partition's audit trail and the log, instead of being tried every five minutes for ever.
        // Seeded before the start, so the timer loop reads the timer when it starts rather than whenever it next looks.
        var store = new InMemoryOrchestrationStore();
        var logs = new CapturingLoggerFactory();
        await using var host = new EngineTestHost(
            o =>
            {
                o.Settings.Retry = new RetryPolicy { MaxAttempts = 3 };
                o.LoggerFactory = logs;
            },
            store,
            workflows: [TestWorkflows.Notify()]);
        var seeded = await StoreSeed.SeedAsync(store, new PartitionState { Key = "a" });
        var timer = new DurableTimer { Id = "damaged-timer", PartitionKey = "a", DueAt = host.Time.GetUtcNow().AddMinutes(1), Purpose = purpose, Data = "{\"source\":" };
        await store.CommitAsync([new StepCommit { PartitionKey = "a", ExpectedVersion = seeded.Version, NewState = seeded with { Version = seeded.Version + 1 }, Timers = [timer] }], Ct);
        await host.StartAsync();

        host.Time.Advance(TimeSpan.FromMinutes(2));
        await AdvanceUntilAsync(host, () => logs.Entries.Any(e => e.Id.Id == 1008), "the timer is given up once its retries ran out");
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));

        logs.Entries.Count(e => e.Id.Id == 1001).Should().Be(3, "tried as often as the retry policy allows");
        logs.Entries.Should().ContainSingle(e => e.Id.Id == 1008).Which.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Error);
        (await store.ReadNextTimerDueAsync(Ct)).Should().BeNull("the unreadable timer was removed");
        var audit = (await host.Orchestrator.GetAuditTrailAsync("a", Ct)).Should().ContainSingle(a => a.Action == "timer-unreadable").Subject;
        audit.Reason.Should().StartWith(ReasonCodes.StoreDataUnreadable.Code).And.Contain("damaged-timer").And.Contain(purpose);
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal(["a1"], "the key's events go on");
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
    }

    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(11, 204_800)]
    [InlineData(12, 300_000)]
    [InlineData(1_000, 300_000)]
    public void TimerRetryWait_DoublesFromTheRetryWaitUpToFiveMinutes(int failures, int milliseconds) =>
        PartitionWorker.TimerRetryWait(failures).Should().Be(TimeSpan.FromMilliseconds(milliseconds));

    [Fact]
    public async Task TimerDueBeyondTheLongestDelay_TheTimerLoopWaitsTheLongestItCanAndStillWakesForNearerTimers()
    {
        // a1's target asks to wait past the end of the calendar: its retry timer is due far beyond the longest delay a
        // timer can be armed for. The timer loop waits as long as it can (no failure, no polling), and a timer due
        // sooner, scheduled meanwhile, still wakes it.
        RecordingTimeProvider? clock = null;
        await using var host = await new EngineTestHost(
            o =>
            {
                o.Settings.Parallelism = 1;
                o.Settings.Retry = new RetryPolicy { MaxRetryAfter = TimeSpan.MaxValue };
                o.TimeProvider = clock = new RecordingTimeProvider((FakeTimeProvider)o.TimeProvider);
            },
            workflows: [TestWorkflows.Notify()],
            adapters: plant => TestWorkflows.WithNotification(plant, new ScriptedNotificationAdapter(plant.Notification, (request, call) => request.Subject switch
            {
                "a:a1" => AdapterResult.Transient("Come back much later.", TimeSpan.MaxValue),
                "b:b1" when call == 1 => AdapterResult.Transient("Busy, try again shortly."),
                _ => null,
            }))).StartAsync();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        (await host.Store.ReadNextTimerDueAsync(Ct)).Should().Be(DateTimeOffset.MaxValue);
        await UntilAsync(() => clock!.ArmedAtLeast(LongWait, DateTimeOffset.MinValue) >= 1, "the timer loop arms a wait of the longest delay it can for the far timer");

        await host.PublishAndWaitAsync(TestWorkflows.Signal("b", "b1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => TestWorkflows.Delivered(host.Plant, "b").Count > 0, TimeSpan.FromSeconds(1));
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal(["b1"], "b1's retry timer, due sooner, woke the timer loop");

        // Once the longest wait has passed, the loop reads the store again and waits again.
        host.Time.Advance(LongWait + TimeSpan.FromDays(1));
        var advanced = host.Time.GetUtcNow();
        await UntilAsync(() => clock!.ArmedAtLeast(LongWait, advanced) >= 1, "the timer loop waits again for the far timer after its longest wait");
        await host.WaitForIdleAsync();
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
        (await host.Store.ReadPendingCommandsAsync("a", Ct)).Should().ContainSingle().Which.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task OutcomeCommitKeepsFailing_EachRetryWaitsOnTheClock()
    {
        // The command runs but the commit of its outcome is refused three times. Each retry comes after a wait on the
        // orchestrator's clock, not straight away: a store that keeps failing must not be hammered in a tight loop.
        var (store, faults) = FaultingStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await new EngineTestHost(o => o.Settings.Parallelism = 1, store, workflows: [TestWorkflows.Notify()]).StartAsync();
        faults.Clock = host.Time;
        faults.RefuseOutcomeCommits = 3;

        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a1"), Ct);
        await AdvanceUntilAsync(host, () => faults.OutcomeCommits.Count >= 4, "the outcome is committed at the fourth attempt");
        await host.WaitForIdleAsync();

        var attempts = faults.OutcomeCommits;
        attempts.Should().HaveCount(4, "three refused commits, then the accepted one");
        attempts.Zip(attempts.Skip(1)).Should().AllSatisfy(pair => (pair.Second - pair.First).Should().BePositive("each retry waits on the orchestrator's clock"));
        TestWorkflows.Delivered(host.Plant, "a").Should().NotBeEmpty().And.AllBe("a1");
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
        (await store.ReadPendingCommandsAsync("a", Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task AlertWaitingForItsRetry_IsNotSentAgainBeforeItsRetryIsDue()
    {
        // The step-deadline alert fails once while the ERP command waits for its retry and is rescheduled; the ERP command
        // completes at its retry, before the alert's is due. First in line at its retry, the alert fails again and is
        // rescheduled. Executed again before its retry is due (here, at a restart), it waits: the alerts that may
        // overtake a waiting command do not overtake their own retry.
        var calls = 0;
        await using var host = await new EngineTestHost(
            o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(2), Jitter = 0 },
            workflows: [DeadlineWorkflow()],
            adapters: plant => TestWorkflows.WithNotification(plant, new ScriptedNotificationAdapter(plant.Notification, (request, call) =>
            {
                if (!request.Subject.StartsWith(AlertSubject, StringComparison.Ordinal))
                {
                    return null;
                }

                Interlocked.Increment(ref calls);
                return call <= 2 ? AdapterResult.Transient("The notification service is busy.") : null;
            }))).StartAsync();
        host.AddLotInInspection("L-A1", 10);
        host.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 1);
        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-A1", "a-1"));

        host.Time.Advance(TimeSpan.FromMinutes(11));
        await host.WaitForIdleAsync();
        Volatile.Read(ref calls).Should().Be(1, "the alert went out ahead of the waiting ERP command, and failed");
        var first = (await host.Store.ReadPendingCommandsAsync("L-A1", Ct)).Should().ContainSingle(p => p.Kind == CommandKinds.NotificationSend).Subject;
        first.Attempts.Should().Be(1, "the failed attempt ahead of the waiting command is counted");

        var erp = (await host.Store.ReadPendingCommandsAsync("L-A1", Ct)).Should().ContainSingle(p => p.Kind == CommandKinds.ErpChangeStockCategory).Subject;
        erp.NextAttemptAt.Should().BeBefore(first.NextAttemptAt!.Value);
        host.Time.Advance(erp.NextAttemptAt!.Value - host.Time.GetUtcNow());
        await host.WaitForIdleAsync();
        Volatile.Read(ref calls).Should().Be(1, "the ERP command completed; the alert's retry is not due yet");

        host.Time.Advance(first.NextAttemptAt!.Value - host.Time.GetUtcNow());
        await host.WaitForIdleAsync();
        Volatile.Read(ref calls).Should().Be(2, "the alert, first in line after the ERP command completed, failed again");
        var alert = (await host.Store.ReadPendingCommandsAsync("L-A1", Ct)).Should().ContainSingle().Subject;
        alert.Attempts.Should().Be(2);
        alert.NextAttemptAt.Should().BeAfter(host.Time.GetUtcNow());

        using (var expired = new CancellationTokenSource())
        {
            await expired.CancelAsync();
            await host.Orchestrator.StopAsync(expired.Token);
        }

        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(Ct);
        await second.WaitForIdleAsync(Ct).WaitAsync(EngineTestHost.IdleTimeout, Ct);
        Volatile.Read(ref calls).Should().Be(2, "the alert's retry is not due yet");
        var waiting = (await host.Store.ReadPendingCommandsAsync("L-A1", Ct)).Should().ContainSingle().Subject;
        waiting.Attempts.Should().Be(2);
        waiting.NextAttemptAt.Should().Be(alert.NextAttemptAt);

        host.Time.Advance(alert.NextAttemptAt!.Value - host.Time.GetUtcNow());
        await second.WaitForIdleAsync(Ct).WaitAsync(EngineTestHost.IdleTimeout, Ct);
        Volatile.Read(ref calls).Should().Be(3, "the alert is sent at its retry");
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        (await host.Store.ReadPendingCommandsAsync("L-A1", Ct)).Should().BeEmpty();
        await second.StopAsync(Ct);
    }

    private static WorkflowDefinition DeadlineWorkflow() =>
        new WorkflowBuilder("release-with-deadline", 1)
            .TriggeredBy(EventTypes.InspectionPassed)
            .WithDeadline(TimeSpan.FromMinutes(10), Role.Planner)
            .Step("release", WorkflowStepKind.Plan, ctx =>
            {
                var passed = (InspectionPassed)ctx.Event.Data;
                ctx.Plan(CommandKinds.ErpChangeStockCategory, c => new ChangeStockCategoryRequest { Context = c, Lot = passed.Lot, Material = passed.Material, Site = passed.Site, Quantity = Quantity.Each(10), FromCategory = StockCategory.QualityInspection, ToCategory = StockCategory.Unrestricted });
            })
            .Build();

    /// <summary>
    /// Advances the fake clock in small steps until <paramref name="done"/> holds, for at most
    /// <see cref="EngineTestHost.IdleTimeout"/>: for work that waits on the clock while the orchestrator does not look idle.
    /// </summary>
    private static async Task AdvanceUntilAsync(EngineTestHost host, Func<bool> done, string because)
    {
        var waited = Stopwatch.StartNew();
        while (!done() && waited.Elapsed < EngineTestHost.IdleTimeout)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(20, Ct);
        }

        done().Should().BeTrue(because);
    }

    /// <summary>
    /// A host whose lot <paramref name="lot"/> passed inspection (event <paramref name="eventId"/>) with a step deadline
    /// ahead, its ERP command failing and retried an hour later (so only the deadline's timer comes due soon).
    /// </summary>
    private static async Task<(EngineTestHost Host, FaultingStore Faults)> StartWithDeadlineAsync(string lot, string eventId, CapturingLoggerFactory logs)
    {
        var (store, faults) = FaultingStore.Wrap(new InMemoryOrchestrationStore());
        var host = await new EngineTestHost(
            o =>
            {
                o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(2) };
                o.LoggerFactory = logs;
            },
            store,
            workflows: [DeadlineWorkflow()]).StartAsync();
        host.AddLotInInspection(lot, 10);
        host.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 1000);
        await host.PublishAndWaitAsync(EngineTestHost.Passed(lot, eventId));
        return (host, faults);
    }

    /// <summary>Waits until <paramref name="done"/> holds, for at most <see cref="EngineTestHost.IdleTimeout"/>, without moving the clock.</summary>
    private static async Task UntilAsync(Func<bool> done, string because)
    {
        var waited = Stopwatch.StartNew();
        while (!done() && waited.Elapsed < EngineTestHost.IdleTimeout)
        {
            await Task.Delay(20, Ct);
        }

        done().Should().BeTrue(because);
    }

    /// <summary>Answers a notification as <c>script</c> says (given the call's number for its subject, from 1), or lets the simulator answer when it says <see langword="null"/>.</summary>
    private sealed class ScriptedNotificationAdapter(ICommandHandler<SendNotificationRequest> inner, Func<SendNotificationRequest, int, AdapterResult?> script) : ICommandHandler<SendNotificationRequest>
    {
        private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

        public ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken)
        {
            var call = _calls.AddOrUpdate(request.Subject, 1, (_, n) => n + 1);
            return script(request, call) is { } answer ? ValueTask.FromResult(answer) : inner.ExecuteAsync(request, cancellationToken);
        }
    }

    /// <summary>A fake clock that counts the timers armed through it by how long they wait.</summary>
    private sealed class RecordingTimeProvider(FakeTimeProvider inner) : TimeProvider
    {
        private readonly ConcurrentQueue<(DateTimeOffset At, TimeSpan Wait)> _armed = new();

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long TimestampFrequency => inner.TimestampFrequency;

        /// <summary>How many timers were armed, at <paramref name="since"/> or later, to wait <paramref name="wait"/> or longer.</summary>
        public int ArmedAtLeast(TimeSpan wait, DateTimeOffset since) => _armed.Count(t => t.At >= since && t.Wait >= wait);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _armed.Enqueue((inner.GetUtcNow(), dueTime));
            return inner.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>A store that refuses commits of command outcomes, or hands out due timers with unreadable data, and otherwise forwards every call.</summary>
    public class FaultingStore : DispatchProxy
    {
        private readonly ConcurrentQueue<DateTimeOffset> _outcomeCommits = new();
        private IOrchestrationStore _inner = null!;
        private int _refuseOutcomeCommits;
        private int _corruptDueTimerReads;

        /// <summary>The clock the attempts to commit an outcome are timed by.</summary>
        public TimeProvider Clock { get; set; } = TimeProvider.System;

        /// <summary>How many of the next commits that record command outcomes are refused.</summary>
        public int RefuseOutcomeCommits
        {
            get => Volatile.Read(ref _refuseOutcomeCommits);
            set => Volatile.Write(ref _refuseOutcomeCommits, value);
        }

        /// <summary>How many of the next reads of due timers that return a timer with data return its data unreadable.</summary>
        public int CorruptDueTimerReads
        {
            get => Volatile.Read(ref _corruptDueTimerReads);
            set => Volatile.Write(ref _corruptDueTimerReads, value);
        }

        /// <summary>When each commit that records command outcomes was attempted, refused or not, on <see cref="Clock"/>.</summary>
        public IReadOnlyList<DateTimeOffset> OutcomeCommits => [.. _outcomeCommits];

        public static (IOrchestrationStore Store, FaultingStore Faults) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, FaultingStore>();
            var proxy = (FaultingStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IOrchestrationStore.CommitAsync) && ((IReadOnlyList<StepCommit>)args![0]!).Any(c => c.UpdatedCommands.Count > 0))
            {
                _outcomeCommits.Enqueue(Clock.GetUtcNow());
                if (Interlocked.Decrement(ref _refuseOutcomeCommits) >= 0)
                {
                    throw new InvalidOperationException("The store refused the commit.");
                }
            }

            object? result;
            try
            {
                result = targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }

            return targetMethod.Name == nameof(IOrchestrationStore.ReadDueTimersAsync)
                ? CorruptAsync((ValueTask<IReadOnlyList<DurableTimer>>)result!)
                : result;
        }

        private async ValueTask<IReadOnlyList<DurableTimer>> CorruptAsync(ValueTask<IReadOnlyList<DurableTimer>> read)
        {
            var timers = await read;
            if (!timers.Any(t => t.Data is not null) || Interlocked.Decrement(ref _corruptDueTimerReads) < 0)
            {
                return timers;
            }

            return [.. timers.Select(t => t.Data is null ? t : t with { Data = "{" })];
        }
    }
}
