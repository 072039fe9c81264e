using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// Tiny workflows and events for runtime tests: every "signal" event plans exactly one notification whose subject is
/// <c>partition:event-id</c>, so the order and count of effects per key can be read back from the notification simulator.
/// </summary>
internal static class TestWorkflows
{
    public const string Source = "test://line-1";

    public static EventEnvelope Signal(string key, string id, long? sequence = null, string source = Source) => new()
    {
        Id = id,
        Source = source,
        Type = EventTypes.SupplierUpdated,
        Site = EngineTestHost.Site,
        PartitionKey = key,
        Sequence = sequence,
        Data = new SupplierUpdated { Supplier = EngineTestHost.Supplier, Change = id },
    };

    /// <summary>A workflow that plans one notification per signal; <paramref name="before"/> runs first (it may throw).</summary>
    public static WorkflowDefinition Notify(Action<StepContext>? before = null) =>
        new WorkflowBuilder("notify", 1)
            .TriggeredBy(EventTypes.SupplierUpdated)
            .Step("notify", WorkflowStepKind.Notify, ctx =>
            {
                before?.Invoke(ctx);
                ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
                {
                    Context = c,
                    Roles = [Role.Buyer],
                    Site = EngineTestHost.Site,
                    Subject = ctx.State.Key + ":" + ctx.EventKey.Id,
                });
            })
            .Build();

    /// <summary>The event ids whose notification was delivered for a key, in delivery order.</summary>
    public static IReadOnlyList<string> Delivered(PlantSimulator plant, string key) =>
        plant.Notification.Sent
            .Select(s => s.Request.Subject)
            .Where(s => s.StartsWith(key + ":", StringComparison.Ordinal))
            .Select(s => s[(key.Length + 1)..])
            .ToList();

    public static EngineTestHost NotifyHost(Action<OrchestratorOptions>? configure = null, Action<StepContext>? before = null) =>
        new(configure, workflows: [Notify(before)]);

    /// <summary>Advances the fake clock in steps and waits for idle until <paramref name="done"/> holds (bounded).</summary>
    public static async Task AdvanceUntilAsync(EngineTestHost host, Func<bool> done, TimeSpan step, int maxSteps = 50)
    {
        await host.WaitForIdleAsync();
        for (var i = 0; i < maxSteps && !done(); i++)
        {
            host.Time.Advance(step);
            await host.WaitForIdleAsync();
        }
    }

    public static AdapterSet WithNotification(PlantSimulator plant, ICommandHandler<SendNotificationRequest> notification) =>
        plant.AddTo(new AdapterSet()).Add(CommandKinds.NotificationSystem, notification);
}

/// <summary>
/// A notification adapter that holds the calls <c>holds</c> selects (all by default) until the gate opens, then
/// delegates to the simulator; calls it does not hold are counted in <see cref="Passed"/> once delivered.
/// </summary>
internal sealed class GatedNotificationAdapter(ICommandHandler<SendNotificationRequest> inner, Func<SendNotificationRequest, bool>? holds = null) : ICommandHandler<SendNotificationRequest>
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    /// <summary>Completes when a held call has entered the adapter.</summary>
    public Task Entered => _entered.Task;

    /// <summary>Released once per delivered call that was not held.</summary>
    public SemaphoreSlim Passed { get; } = new(0);

    public int Calls => Volatile.Read(ref _calls);

    public void Open() => _gate.TrySetResult();

    public async ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (holds is null || holds(request))
        {
            _entered.TrySetResult();
            await _gate.Task.WaitAsync(cancellationToken);
            return await inner.ExecuteAsync(request, cancellationToken);
        }

        var result = await inner.ExecuteAsync(request, cancellationToken);
        Passed.Release();
        return result;
    }
}
