namespace ManufacturingOrchestration.Testing;

/// <summary>
/// The faults injected into one operation (a command or query kind, <c>erp.*</c> for a whole system, or <c>*</c>
/// for everything). Rates are decided deterministically from the injector's seed, the operation, the idempotency
/// key and the attempt number, so a test run repeats exactly whatever the thread interleaving.
/// </summary>
public sealed class FaultProfile
{
    /// <summary>The probability (0 to 1) that an attempt fails transiently. Default 0.</summary>
    public double TransientFailureRate { get; init; }

    /// <summary>The probability (0 to 1) that a command is refused permanently; the same key is always refused again. Default 0.</summary>
    public double PermanentFailureRate { get; init; }

    /// <summary>The latency added to every call, awaited on the simulator's <see cref="TimeProvider"/>. Default none.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>The retry-after a transient failure carries, or <see langword="null"/> for none. Default none.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Windows, on the simulator's clock, in which every call fails transiently (the system is down).</summary>
    public IReadOnlyList<OutageWindow> Outages { get; init; } = [];

    /// <summary>Checks the profile's values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is outside 0–1 or the latency is negative.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(TransientFailureRate, 0d, nameof(TransientFailureRate));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TransientFailureRate, 1d, nameof(TransientFailureRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(PermanentFailureRate, 0d, nameof(PermanentFailureRate));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PermanentFailureRate, 1d, nameof(PermanentFailureRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(Latency, TimeSpan.Zero, nameof(Latency));
        ArgumentNullException.ThrowIfNull(Outages, nameof(Outages));
    }
}

/// <summary>A period on the simulator's clock during which a system is down.</summary>
public sealed class OutageWindow
{
    /// <summary>Creates a window.</summary>
    /// <param name="start">The first instant of the outage.</param>
    /// <param name="end">The instant the system is back (exclusive).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="end"/> is not after <paramref name="start"/>.</exception>
    public OutageWindow(DateTimeOffset start, DateTimeOffset end)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(end, start, nameof(end));
        Start = start;
        End = end;
    }

    /// <summary>The first instant of the outage.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The instant the system is back (exclusive).</summary>
    public DateTimeOffset End { get; }

    /// <summary>Whether <paramref name="instant"/> falls in the window.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns><see langword="true"/> when the system is down at that instant.</returns>
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;
}
