using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>Something a partition worker does for one key.</summary>
internal abstract class WorkItem(string partitionKey)
{
    public string PartitionKey { get; } = partitionKey;
}

/// <summary>Process an accepted event (it holds a publisher capacity slot until handled).</summary>
internal sealed class EventWork(InboxEvent inboxEvent) : WorkItem(inboxEvent.PartitionKey)
{
    public InboxEvent Event { get; } = inboxEvent;

    public bool HoldsCapacity { get; init; }
}

/// <summary>Read the key's pending events from the store and process the ones not yet seen (follow-ups, unpark, recovery).</summary>
internal sealed class ScanWork(string partitionKey) : WorkItem(partitionKey);

/// <summary>Execute the key's pending commands that are due (recovery after a restart).</summary>
internal sealed class ResumeWork(string partitionKey) : WorkItem(partitionKey);

/// <summary>A durable timer of the key is due; clustered, read while the node held the key's bucket under <paramref name="fence"/>.</summary>
internal sealed class TimerWork(DurableTimer timer, LeaseFence? fence = null) : WorkItem(timer.PartitionKey)
{
    public DurableTimer Timer { get; } = timer;

    public LeaseFence? Fence { get; } = fence;
}

/// <summary>An operator's action on a dead letter of the key.</summary>
internal sealed class OperatorWork(string partitionKey, OperatorRequest request, Actor @operator) : WorkItem(partitionKey)
{
    public OperatorRequest Request { get; } = request;

    /// <summary>The operator, as the host authenticated them and the actor directory knows them.</summary>
    public Actor Operator { get; } = @operator;

    public TaskCompletionSource<OperatorActionResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A partition-scoped administrative action (e.g. delegating an approval), run in the key's worker so it is ordered with the key's other work.</summary>
internal sealed class PartitionWork(string partitionKey, Func<KeyRuntime, CancellationToken, ValueTask<Staged>> handler) : WorkItem(partitionKey)
{
    public Func<KeyRuntime, CancellationToken, ValueTask<Staged>> Handler { get; } = handler;

    public TaskCompletionSource<OperatorActionResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The worker's cached view of one key.</summary>
internal sealed class KeyRuntime(PartitionState state)
{
    public PartitionState State { get; set; } = state;

    /// <summary>The bucket lease the key was loaded under on a clustered node (every commit of the key carries it), else <see langword="null"/>.</summary>
    public LeaseFence? Fence { get; init; }

    /// <summary>Commands not yet finished, in ordinal order.</summary>
    public List<OutboxEntry> Pending { get; } = [];

    /// <summary>Whether events arrived while the key was blocked: they stay pending in the store and are read again when it is free.</summary>
    public bool NeedsScan { get; set; }

    /// <summary>The outcome of the last command execution, applied once its commit is durable.</summary>
    public ExecutionOutcome? Outcome { get; set; }

    /// <summary>The inbox position of the last event processed (events at or before it are skipped).</summary>
    public long LastProcessedPosition { get; set; }

    /// <summary>Whether the durable timer of the key's waiting ERP bootstrap retry fired, so its pending events may be read again.</summary>
    public bool QueryRetryDue { get; set; }

    /// <summary>Whether later events must wait: parked behind a dead letter, commands waiting for a retry, or an ERP bootstrap waiting for its retry.</summary>
    public bool IsBlocked => State.IsParked || Pending.Count > 0 || (!QueryRetryDue && State.Instances.Count > 0 && QueryRetries.IsWaiting(State));

    /// <summary>Whether nothing is in progress for the key: everything it knows is in the store, so its cache entry may be dropped.</summary>
    public bool IsSettled => !IsBlocked && !NeedsScan && Outcome is null && !QueryRetryDue;
}

/// <summary>What executing a key's commands produced, applied to the cache after its commit.</summary>
internal sealed class ExecutionOutcome
{
    public int Finished { get; init; }

    public OutboxEntry? Rescheduled { get; init; }

    public PartitionState? NewState { get; init; }

    public DeadLetter? DeadLetter { get; init; }

    public DurableTimer? RetryTimer { get; init; }

    public IReadOnlyList<string>? AlertsSent { get; init; }

    public CommandExecutor.AlertFailures? AlertFailures { get; init; }

    public CommandExecutor.Redecision? Redecision { get; init; }
}
