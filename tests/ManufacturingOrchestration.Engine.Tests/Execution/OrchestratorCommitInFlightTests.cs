using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// A worker whose commit does not finish at once (the store's writer busy) handles its next round meanwhile: the keys of
/// the commit in flight wait for it, the others go on, and a failed commit in flight loses nothing.
/// </summary>
public class OrchestratorCommitInFlightTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PublishAsync_CommitInFlight_OtherKeysStepMeanwhileAndTheKeyInFlightWaitsForIt()
    {
        using var scenario = new Scenario();
        await using var host = await scenario.StartAsync();

        var held = await scenario.HoldFirstRoundAsync(host);
        await scenario.Stepped("b1").WaitAsync(Limit, EngineTestHost.Ct);

        // b1 was handled while a1's commit was held; a2 waits for it, and b1's commit waits for a1's to finish.
        scenario.Steps.Should().Equal("a1", "b1");
        scenario.Store.Commits.Should().Be(1);
        held.Release();
        await host.WaitForIdleAsync();

        scenario.Steps.Should().Equal("a1", "b1", "a2");
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2");
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1");
        foreach (var (key, ids) in new[] { ("a", new[] { "a1", "a2" }), ("b", ["b1"]) })
        {
            var audit = await host.Orchestrator.GetAuditTrailAsync(key, EngineTestHost.Ct);
            audit.Where(r => r.Action == "processed").Select(r => r.Event!.Value.Id).Should().Equal(ids);
        }

        (await host.Store.ReadPendingEventsAsync(null, 0, int.MaxValue, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task PublishAsync_CommitInFlightFails_ItsKeyReadAgainInOrderAndTheNextRoundCommitted()
    {
        using var scenario = new Scenario();
        await using var host = await scenario.StartAsync();

        var held = await scenario.HoldFirstRoundAsync(host);
        await scenario.Stepped("b1").WaitAsync(Limit, EngineTestHost.Ct);
        held.Fail(new InvalidOperationException("The disk is full."));

        // The failed round's key is read again after a short wait on the orchestrator's clock.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(EngineTestHost.Ct);
        limit.CancelAfter(Limit);
        while (TestWorkflows.Delivered(host.Plant, "a").Count < 2 || TestWorkflows.Delivered(host.Plant, "b").Count < 1)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20, limit.Token);
        }

        await host.WaitForIdleAsync();
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2");
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1");
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
        var trail = await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct);
        trail.Where(r => r.Action == "processed").Select(r => r.Event!.Value.Id).Should().Equal("a1", "a2");
        (await host.Store.ReadPendingEventsAsync(null, 0, int.MaxValue, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task StopAsync_NoTimeToDrainWithACommitInFlight_StopsAndARestartFinishesEverything()
    {
        using var scenario = new Scenario();
        var inner = new InMemoryOrchestrationStore();
        await using (var host = await scenario.StartAsync(inner))
        {
            await scenario.HoldFirstRoundAsync(host);
            await scenario.Stepped("b1").WaitAsync(Limit, EngineTestHost.Ct);

            // The commit in flight is never let through: stopping cancels it, and the worker's loop ends with it.
            await host.Orchestrator.StopAsync(new CancellationToken(canceled: true)).WaitAsync(Limit, EngineTestHost.Ct);
        }

        // A new orchestrator over the same store finishes what the stopped one left.
        using var again = new Scenario();
        again.Queued();
        await using var restarted = await again.StartAsync(inner);
        await restarted.WaitForIdleAsync();
        (await inner.ReadPendingEventsAsync(null, 0, int.MaxValue, EngineTestHost.Ct)).Should().BeEmpty();
        foreach (var (key, ids) in new[] { ("a", new[] { "a1", "a2" }), ("b", ["b1"]) })
        {
            var audit = await restarted.Orchestrator.GetAuditTrailAsync(key, EngineTestHost.Ct);
            audit.Where(r => r.Action == "processed").Select(r => r.Event!.Value.Id).Should().Equal(ids);
        }
    }

    /// <summary>
    /// One worker, a notify workflow whose steps are recorded, and a store whose next commit can be held: a1's step
    /// waits until b1 and a2 are queued, so the worker finds them when a1's commit is held.
    /// </summary>
    private sealed class Scenario : IDisposable
    {
        private readonly ManualResetEventSlim _queued = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _stepped = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> _steps = new();

        public HoldingStore Store { get; private set; } = null!;

        public IReadOnlyList<string> Steps => [.. _steps];

        public Task Stepped(string id) => StepSignal(id).Task;

        public async Task<EngineTestHost> StartAsync(IOrchestrationStore? inner = null)
        {
            var (store, holding) = HoldingStore.Wrap(inner ?? new InMemoryOrchestrationStore());
            Store = holding;
            var host = new EngineTestHost(o => o.Settings.Parallelism = 1, store, workflows: [TestWorkflows.Notify(Record)]);
            return await host.StartAsync();
        }

        /// <summary>Publishes a1 with its commit held, then b1 and a2 while a1's step runs; returns once the commit is held.</summary>
        public async Task<HeldCommit> HoldFirstRoundAsync(EngineTestHost host)
        {
            var held = Store.HoldNextCommit();
            (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a1"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted);
            await Stepped("a1").WaitAsync(Limit, EngineTestHost.Ct);
            (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("b", "b1"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted);
            (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a2"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted);
            _queued.Set();
            await held.Reached.WaitAsync(Limit, EngineTestHost.Ct);
            return held;
        }

        /// <summary>Lets a1's step go on at once (a restart has nothing to wait for).</summary>
        public void Queued() => _queued.Set();

        public void Dispose()
        {
            _queued.Set();
            Store?.Dispose();
            _queued.Dispose();
        }

        private void Record(StepContext context)
        {
            _steps.Enqueue(context.EventKey.Id);
            StepSignal(context.EventKey.Id).TrySetResult();
            if (context.EventKey.Id == "a1" && !_queued.Wait(Limit, EngineTestHost.Ct))
            {
                throw new TimeoutException("b1 and a2 were not published.");
            }
        }

        private TaskCompletionSource StepSignal(string id) =>
            _stepped.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>A commit held before it reaches the store, then let through or failed.</summary>
    internal sealed class HeldCommit
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public Task Outcome => _outcome.Task;

        public void Arrived() => _reached.TrySetResult();

        public void Release() => _outcome.TrySetResult();

        public void Fail(Exception exception) => _outcome.TrySetException(exception);
    }

    /// <summary>A store whose next commit waits, before it reaches the store, until the test lets it through or fails it.</summary>
    public class HoldingStore : DispatchProxy, IDisposable
    {
        private IOrchestrationStore _inner = null!;
        private HeldCommit? _next;
        private HeldCommit? _last;
        private int _commits;

        /// <summary>The number of commits that were called.</summary>
        public int Commits => Volatile.Read(ref _commits);

        public static (IOrchestrationStore Store, HoldingStore Holding) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, HoldingStore>();
            var proxy = (HoldingStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        internal HeldCommit HoldNextCommit()
        {
            var held = new HeldCommit();
            _last = held;
            Volatile.Write(ref _next, held);
            return held;
        }

        /// <summary>Lets a held commit through, so that a worker left waiting in it does not hold the host's disposal.</summary>
        public void Dispose() => _last?.Release();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            try
            {
                if (targetMethod.Name == nameof(IOrchestrationStore.CommitAsync))
                {
                    Interlocked.Increment(ref _commits);
                    if (Interlocked.Exchange(ref _next, null) is { } held)
                    {
                        return HeldAsync(held, args!);
                    }
                }

                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }

        private async ValueTask HeldAsync(HeldCommit held, object?[] args)
        {
            var cancellationToken = (CancellationToken)args[1]!;
            held.Arrived();
            await held.Outcome.WaitAsync(cancellationToken);
            await _inner.CommitAsync((IReadOnlyList<StepCommit>)args[0]!, cancellationToken);
        }
    }
}
