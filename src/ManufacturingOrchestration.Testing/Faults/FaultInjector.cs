using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// Injects faults into simulator calls per operation (command or query kind): transient and permanent failure
/// rates, latency, outage windows, scripted "fail the next n calls" and "fail the call caused by this event".
/// Deterministic under a seed (a scripted "next call" is the next to arrive: with several workers, address the fault to
/// an event instead), and driven by a
/// <see cref="TimeProvider"/> so tests advance a fake clock instead of sleeping. Thread-safe; configure it before
/// or during a run. With nothing configured a call costs one volatile read.
/// </summary>
public sealed class FaultInjector
{
    /// <summary>The operation pattern that matches every operation.</summary>
    public const string AnyOperation = "*";

    private readonly TimeProvider _timeProvider;
    private readonly ulong _seed;
    private readonly ConcurrentDictionary<string, FaultProfile> _profiles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _scripted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AdapterResultStatus> _scriptedStatus = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Operation, string EventId), AdapterResultStatus> _byCause = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _injected = new(StringComparer.Ordinal);
    private volatile bool _active;

    /// <summary>Creates an injector.</summary>
    /// <param name="timeProvider">The clock for latency and outage windows.</param>
    /// <param name="seed">The seed for the failure-rate decisions.</param>
    public FaultInjector(TimeProvider timeProvider, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _seed = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) ^ 0xCBF29CE484222325UL;
    }

    /// <summary>Sets the fault profile of an operation: an exact kind such as <c>erp.change-stock-category</c>, a system such as <c>erp.*</c>, or <c>*</c>.</summary>
    /// <param name="operation">The operation pattern.</param>
    /// <param name="profile">The profile.</param>
    /// <returns>This injector.</returns>
    public FaultInjector Configure(string operation, FaultProfile profile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentNullException.ThrowIfNull(profile);
        profile.Validate();
        _profiles[operation] = profile;
        _active = true;
        return this;
    }

    /// <summary>Takes an operation down from now (plus <paramref name="startIn"/>) for <paramref name="duration"/> on the injector's clock, keeping its other faults.</summary>
    /// <param name="operation">The operation pattern.</param>
    /// <param name="duration">How long the outage lasts.</param>
    /// <param name="startIn">How long from now the outage starts; zero for now.</param>
    /// <returns>The window.</returns>
    public OutageWindow ScheduleOutage(string operation, TimeSpan duration, TimeSpan startIn = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(startIn, TimeSpan.Zero);
        var start = _timeProvider.GetUtcNow() + startIn;
        var window = new OutageWindow(start, start + duration);
        _profiles.AddOrUpdate(
            operation,
            static (_, w) => new FaultProfile { Outages = [w] },
            static (_, existing, w) => new FaultProfile
            {
                TransientFailureRate = existing.TransientFailureRate,
                PermanentFailureRate = existing.PermanentFailureRate,
                Latency = existing.Latency,
                RetryAfter = existing.RetryAfter,
                Outages = [.. existing.Outages, w],
            },
            window);
        _active = true;
        return window;
    }

    /// <summary>Fails the next <paramref name="count"/> calls of an exact operation kind with the given status.</summary>
    /// <param name="operation">The exact operation kind.</param>
    /// <param name="count">How many calls fail.</param>
    /// <param name="status"><see cref="AdapterResultStatus.TransientFailure"/>, <see cref="AdapterResultStatus.PermanentFailure"/> or <see cref="AdapterResultStatus.Stale"/> (answered with <see cref="ReasonCodes.InsufficientQuantity"/>, as an ERP refuses a posting whose stock is gone).</param>
    /// <returns>This injector.</returns>
    public FaultInjector FailNext(string operation, int count, AdapterResultStatus status = AdapterResultStatus.TransientFailure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (status is not (AdapterResultStatus.TransientFailure or AdapterResultStatus.PermanentFailure or AdapterResultStatus.Stale))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Only failures can be scripted.");
        }

        _scriptedStatus[operation] = status;
        _scripted.AddOrUpdate(operation, count, (_, existing) => existing + count);
        _active = true;
        return this;
    }

    /// <summary>
    /// Fails the first call of an exact operation kind made for a command caused by the event <paramref name="eventId"/>
    /// (its <see cref="CommandContext.CausationId"/>) with the given status; later calls for it — a retry, a replay — go
    /// ahead. Unlike <see cref="FailNext"/> the call it hits does not depend on which worker gets there first.
    /// </summary>
    /// <param name="operation">The exact operation kind.</param>
    /// <param name="eventId">The id of the event whose command fails.</param>
    /// <param name="status"><see cref="AdapterResultStatus.TransientFailure"/>, <see cref="AdapterResultStatus.PermanentFailure"/> or <see cref="AdapterResultStatus.Stale"/> (answered with <see cref="ReasonCodes.InsufficientQuantity"/>, as an ERP refuses a posting whose stock is gone).</param>
    /// <returns>This injector.</returns>
    public FaultInjector FailCausedBy(string operation, string eventId, AdapterResultStatus status = AdapterResultStatus.PermanentFailure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventId);
        if (status is not (AdapterResultStatus.TransientFailure or AdapterResultStatus.PermanentFailure or AdapterResultStatus.Stale))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Only failures can be scripted.");
        }

        _byCause[(operation, eventId)] = status;
        _active = true;
        return this;
    }

    /// <summary>Removes every profile and scripted failure (counters are kept).</summary>
    public void Clear()
    {
        _profiles.Clear();
        _scripted.Clear();
        _byCause.Clear();
        _scriptedStatus.Clear();
        _attempts.Clear();
        _active = false;
    }

    /// <summary>How many faults were injected into an operation kind so far.</summary>
    /// <param name="operation">The exact operation kind.</param>
    /// <returns>The count.</returns>
    public int InjectedCount(string operation) => _injected.GetValueOrDefault(operation);

    /// <summary>How many faults were injected in total.</summary>
    public int TotalInjected
    {
        get
        {
            var total = 0;
            foreach (var pair in _injected)
            {
                total += pair.Value;
            }

            return total;
        }
    }

    /// <summary>
    /// Applies the faults of a command call: waits for the latency, then answers the failure to return, or
    /// <see langword="null"/> to go ahead.
    /// </summary>
    /// <param name="operation">The command kind.</param>
    /// <param name="context">The command's context: its idempotency key drives the deterministic decisions, its causation id the faults addressed to an event.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The injected failure, or <see langword="null"/>.</returns>
    public ValueTask<AdapterResult?> BeforeCommandAsync(string operation, CommandContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_active)
        {
            return ValueTask.FromResult<AdapterResult?>(null);
        }

        return DecideAsync(operation, context.IdempotencyKey, context.CausationId, cancellationToken);
    }

    /// <summary>Applies the faults of a query call: waits for the latency, then throws when a fault is injected.</summary>
    /// <param name="operation">The query kind.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the query may go ahead.</returns>
    /// <exception cref="SimulatedFaultException">A transient fault or outage was injected.</exception>
    /// <exception cref="AdapterPermanentException">A permanent fault was injected.</exception>
    public ValueTask BeforeQueryAsync(string operation, CancellationToken cancellationToken = default)
    {
        if (!_active)
        {
            return ValueTask.CompletedTask;
        }

        return BeforeQuerySlowAsync(operation, cancellationToken);
    }

    private async ValueTask BeforeQuerySlowAsync(string operation, CancellationToken cancellationToken)
    {
        var result = await DecideAsync(operation, null, null, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return;
        }

        if (result.IsPermanent)
        {
            throw new AdapterPermanentException(result.Reason ?? ReasonCodes.AdapterPermanent, result.Message ?? "Injected permanent fault.", null);
        }

        throw new SimulatedFaultException(result.Message ?? "Injected transient fault.");
    }

    private static AdapterResult Scripted(AdapterResultStatus status, string what, FaultProfile? profile) => status switch
    {
        AdapterResultStatus.PermanentFailure => AdapterResult.Permanent(ReasonCodes.AdapterPermanent, $"Injected permanent failure of {what} (scripted)."),
        AdapterResultStatus.Stale => AdapterResult.Stale(ReasonCodes.InsufficientQuantity, $"Injected stale refusal of {what} (scripted): the stock it names is gone."),
        _ => AdapterResult.Transient(ReasonCodes.AdapterTransient, $"Injected transient failure of {what} (scripted).", profile?.RetryAfter),
    };

    private async ValueTask<AdapterResult?> DecideAsync(string operation, string? key, string? causationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var profile = FindProfile(operation);
        if (profile is { Latency: var latency } && latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _timeProvider, cancellationToken).ConfigureAwait(false);
        }

        if (causationId is not null && !_byCause.IsEmpty && _byCause.TryRemove((operation, causationId), out var causedStatus))
        {
            return Injected(operation, Scripted(causedStatus, $"{operation} for event {causationId}", profile));
        }

        if (TryTakeScripted(operation, out var scriptedStatus))
        {
            return Injected(operation, Scripted(scriptedStatus, operation, profile));
        }

        if (profile is null)
        {
            return null;
        }

        var now = _timeProvider.GetUtcNow();
        foreach (var window in profile.Outages)
        {
            if (window.Contains(now))
            {
                return Injected(operation, AdapterResult.Transient(ReasonCodes.AdapterTransient, $"{CommandKinds.SystemOf(operation)} is down until {window.End:O} (injected outage).", window.End - now));
            }
        }

        if (profile.PermanentFailureRate > 0 && Draw(operation, key, -1) < profile.PermanentFailureRate)
        {
            return Injected(operation, AdapterResult.Permanent(ReasonCodes.AdapterPermanent, $"Injected permanent failure of {operation}."));
        }

        if (profile.TransientFailureRate > 0)
        {
            var attempt = key is null ? 0 : _attempts.AddOrUpdate(operation + "\u001f" + key, 0, static (_, n) => n + 1);
            if (Draw(operation, key, attempt) < profile.TransientFailureRate)
            {
                return Injected(operation, AdapterResult.Transient(ReasonCodes.AdapterTransient, $"Injected transient failure of {operation}.", profile.RetryAfter));
            }
        }

        return null;
    }

    private AdapterResult Injected(string operation, AdapterResult result)
    {
        _injected.AddOrUpdate(operation, 1, static (_, n) => n + 1);
        return result;
    }

    private FaultProfile? FindProfile(string operation)
    {
        if (_profiles.IsEmpty)
        {
            return null;
        }

        if (_profiles.TryGetValue(operation, out var profile))
        {
            return profile;
        }

        var system = CommandKinds.SystemOf(operation);
        if (_profiles.TryGetValue(system + ".*", out profile))
        {
            return profile;
        }

        return _profiles.GetValueOrDefault(AnyOperation);
    }

    private bool TryTakeScripted(string operation, out AdapterResultStatus status)
    {
        status = default;
        while (_scripted.TryGetValue(operation, out var remaining) && remaining > 0)
        {
            if (_scripted.TryUpdate(operation, remaining - 1, remaining))
            {
                status = _scriptedStatus.GetValueOrDefault(operation, AdapterResultStatus.TransientFailure);
                return true;
            }
        }

        return false;
    }

    private double Draw(string operation, string? key, int attempt)
    {
        // Unkeyed calls (queries) draw from a per-operation sequence; keyed calls from (operation, key, attempt).
        if (key is null)
        {
            attempt = _attempts.AddOrUpdate(operation, 0, static (_, n) => n + 1);
        }

        var hash = _seed;
        hash = Mix(hash, operation);
        hash = Mix(hash, key ?? string.Empty);
        hash ^= unchecked((ulong)attempt + 0x632BE59BD9B4E019UL);
        hash = Finalize(hash);
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Mix(ulong hash, string value)
    {
        foreach (var c in value)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }

        hash ^= 0xFF;
        hash *= 0x100000001B3UL;
        return hash;
    }

    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
