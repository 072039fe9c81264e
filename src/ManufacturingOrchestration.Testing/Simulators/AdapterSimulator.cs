using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// What every simulator shares: a system name, the calls it received, the effects it applied, fault injection,
/// and idempotency (a key is applied at most once; later calls answer <see cref="AdapterResultStatus.AlreadyApplied"/>,
/// also after the simulator is re-created on the same file-backed <see cref="EffectsLog"/>).
/// </summary>
public abstract class AdapterSimulator
{
    private readonly ConcurrentDictionary<string, string?> _applied = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AdapterCall> _calls = new();
    private readonly bool _recordCalls;
    private readonly Lock[] _stripes;
    private long _references;

    private protected AdapterSimulator(string system, SimulatorOptions? options)
    {
        options ??= new SimulatorOptions();
        System = system;
        TimeProvider = options.TimeProvider ?? TimeProvider.System;
        Faults = options.Faults ?? new FaultInjector(TimeProvider);
        Effects = options.Effects ?? new EffectsLog();
        _recordCalls = options.RecordCalls;
        _stripes = new Lock[64];
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Lock();
        }

        foreach (var record in Effects.For(system))
        {
            _applied[record.IdempotencyKey] = record.ExternalReference;
            _references++;
        }
    }

    /// <summary>The system name, such as <c>erp</c>.</summary>
    public string System { get; }

    /// <summary>The simulator's clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The fault injector.</summary>
    public FaultInjector Faults { get; }

    /// <summary>The effects log (shared with the other simulators of a plant).</summary>
    public EffectsLog Effects { get; }

    /// <summary>A snapshot of the calls received, in order (empty when call recording is off).</summary>
    public IReadOnlyList<AdapterCall> Calls => [.. _calls];

    /// <summary>The effects this simulator applied, in order (including those reloaded from a file-backed log).</summary>
    public IReadOnlyList<EffectRecord> AppliedEffects => Effects.For(System);

    /// <summary>How many distinct idempotency keys this simulator applied.</summary>
    public int AppliedCount => _applied.Count;

    /// <summary>Whether a command with this idempotency key was applied.</summary>
    /// <param name="idempotencyKey">The key.</param>
    /// <returns><see langword="true"/> when applied.</returns>
    public bool HasApplied(string idempotencyKey) => _applied.ContainsKey(idempotencyKey);

    /// <summary>How many calls of an operation were received.</summary>
    /// <param name="operation">The command or query kind.</param>
    /// <returns>The count.</returns>
    public int CallCount(string operation)
    {
        var count = 0;
        foreach (var call in _calls)
        {
            if (string.Equals(call.Operation, operation, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A new reference number in this system, such as <c>4900000017</c>.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>The reference.</returns>
    private protected string NextReference(string prefix) =>
        string.Concat(prefix, Interlocked.Increment(ref _references).ToString("D6", global::System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A lock for state that is not partitioned by lot, chosen by the idempotency key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The lock.</returns>
    private protected Lock StripeFor(string key) => _stripes[(uint)key.GetHashCode(StringComparison.Ordinal) % (uint)_stripes.Length];

    /// <summary>Runs a query's fault injection and records the call.</summary>
    /// <param name="operation">The query kind.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the query may go ahead.</returns>
    private protected ValueTask BeforeQueryAsync(string operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_recordCalls)
        {
            _calls.Enqueue(new AdapterCall { Operation = operation, At = TimeProvider.GetUtcNow() });
        }

        return Faults.BeforeQueryAsync(operation, cancellationToken);
    }

    /// <summary>
    /// Executes a command: fault injection, idempotency, then — under <paramref name="gate"/> — plan (validate),
    /// append the effect to the log (flushed when file-backed), commit the state change and remember the key.
    /// </summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <param name="request">The command.</param>
    /// <param name="gate">The lock protecting the state the command touches.</param>
    /// <param name="planner">Validates the command against the state and returns what to commit, or the refusal.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    private protected ValueTask<AdapterResult> ExecuteAsync<TRequest>(TRequest request, Lock gate, Func<TRequest, CommandPlan> planner, CancellationToken cancellationToken)
        where TRequest : AdapterCommand
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var key = request.Context?.IdempotencyKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            return ValueTask.FromResult(Record(request, AdapterResult.Permanent(ReasonCodes.Required, "Every command needs a context with an idempotency key.")));
        }

        var fault = Faults.BeforeCommandAsync(request.Kind, request.Context!, cancellationToken);
        if (fault.IsCompletedSuccessfully)
        {
            var injected = fault.Result;
            return ValueTask.FromResult(injected is null ? Apply(request, key, gate, planner) : Record(request, injected));
        }

        return ExecuteSlowAsync(fault, request, key, gate, planner);
    }

    private async ValueTask<AdapterResult> ExecuteSlowAsync<TRequest>(ValueTask<AdapterResult?> fault, TRequest request, string key, Lock gate, Func<TRequest, CommandPlan> planner)
        where TRequest : AdapterCommand
    {
        var injected = await fault.ConfigureAwait(false);
        return injected is null ? Apply(request, key, gate, planner) : Record(request, injected);
    }

    private AdapterResult Apply<TRequest>(TRequest request, string key, Lock gate, Func<TRequest, CommandPlan> planner)
        where TRequest : AdapterCommand
    {
        AdapterResult result;
        if (_applied.TryGetValue(key, out var prior))
        {
            return Record(request, AdapterResult.AlreadyApplied(prior));
        }

        lock (gate)
        {
            if (_applied.TryGetValue(key, out prior))
            {
                result = AdapterResult.AlreadyApplied(prior);
            }
            else
            {
                var plan = planner(request);
                if (plan.Refusal is { } refusal)
                {
                    result = refusal;
                }
                else
                {
                    Effects.Append(System, request.Kind, key, request.Context.CorrelationId, plan.Lot, plan.Order, plan.Summary, plan.ExternalReference, TimeProvider.GetUtcNow());
                    plan.Commit?.Invoke();
                    _applied[key] = plan.ExternalReference;
                    result = AdapterResult.Success(plan.ExternalReference);
                }
            }
        }

        return Record(request, result);
    }

    private AdapterResult Record(AdapterCommand request, AdapterResult result)
    {
        if (_recordCalls)
        {
            _calls.Enqueue(new AdapterCall { Operation = request.Kind, At = TimeProvider.GetUtcNow(), Command = request, Result = result });
        }

        return result;
    }
}

/// <summary>What a validated command will do: its effect summary and state change, or the refusal.</summary>
internal readonly struct CommandPlan
{
    private CommandPlan(AdapterResult? refusal, string summary, string? lot, string? order, string? externalReference, Action? commit)
    {
        Refusal = refusal;
        Summary = summary;
        Lot = lot;
        Order = order;
        ExternalReference = externalReference;
        Commit = commit;
    }

    public AdapterResult? Refusal { get; }

    public string Summary { get; }

    public string? Lot { get; }

    public string? Order { get; }

    public string? ExternalReference { get; }

    public Action? Commit { get; }

    public static CommandPlan Refuse(ReasonCode reason, string message) => new(AdapterResult.Permanent(reason, message), string.Empty, null, null, null, null);

    /// <summary>A refusal because the command assumed stock or a version the system no longer has: the caller refreshes and decides again.</summary>
    public static CommandPlan RefuseAsStale(ReasonCode reason, string message) => new(AdapterResult.Stale(reason, message), string.Empty, null, null, null, null);

    public static CommandPlan Apply(string summary, Action? commit, string? lot = null, string? order = null, string? externalReference = null) =>
        new(null, summary, lot, order, externalReference, commit);
}
