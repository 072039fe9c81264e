using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// A fake clock that can move itself at the one moment a race needs: <see cref="AdvanceWhenNextArmed"/> makes the next
/// timer armed through it see the clock advanced between its caller's reading of the clock and the arming, exactly as if
/// a test thread had called <see cref="FakeTimeProvider.Advance"/> in that gap. Everything else is the inner clock's.
/// </summary>
internal sealed class InterleavingTimeProvider(FakeTimeProvider inner) : TimeProvider
{
    private readonly Lock _gate = new();
    private TimeSpan? _advanceWhenArmed;

    public FakeTimeProvider Inner { get; } = inner;

    /// <summary>How many armings found an advance waiting for them.</summary>
    public int AdvancedWhileArming { get; private set; }

    public override TimeZoneInfo LocalTimeZone => Inner.LocalTimeZone;

    public override long TimestampFrequency => Inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

    public override long GetTimestamp() => Inner.GetTimestamp();

    /// <summary>Advances the clock by <paramref name="amount"/> just before the next timer is armed (once).</summary>
    public void AdvanceWhenNextArmed(TimeSpan amount)
    {
        lock (_gate)
        {
            _advanceWhenArmed = amount;
        }
    }

    /// <summary>Forgets an advance that no arming took.</summary>
    public void Cancel()
    {
        lock (_gate)
        {
            _advanceWhenArmed = null;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        TimeSpan? advance;
        lock (_gate)
        {
            advance = _advanceWhenArmed;
            _advanceWhenArmed = null;
            if (advance is not null)
            {
                AdvancedWhileArming++;
            }
        }

        if (advance is { } amount)
        {
            Inner.Advance(amount);
        }

        return Inner.CreateTimer(callback, state, dueTime, period);
    }
}
