using System.Diagnostics;

namespace ManufacturingOrchestration.StandardScenario;

/// <summary>
/// An open-loop arrival schedule: event i is due at i / rate seconds after the start, whatever the system under test
/// does, so latency is measured at a constant offered load and not only at saturation. The generator publishes every
/// event that is due, then sleeps to the next due time (at least a millisecond: it never spins); if the system pushes
/// back or the generator is descheduled and falls behind, the lag is reported.
/// </summary>
public static class OpenLoop
{
    /// <summary>Runs the schedule.</summary>
    /// <param name="count">Events to publish.</param>
    /// <param name="rate">Events per second.</param>
    /// <param name="clock">The run's clock, started by the caller; due times are measured on it.</param>
    /// <param name="publish">Publishes events [from, to) (all due by now); its argument is the range.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The largest lag behind the schedule, ms.</returns>
    public static async Task<double> RunAsync(int count, double rate, Stopwatch clock, Func<int, int, ValueTask> publish, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        var ticksPerEvent = Stopwatch.Frequency / rate;
        var next = 0;
        var maxLag = 0d;
        while (next < count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = clock.ElapsedTicks;
            var due = Math.Min(count, (int)(now / ticksPerEvent) + 1);
            if (due > next)
            {
                var lagMs = (now - (next * ticksPerEvent)) * 1000d / Stopwatch.Frequency;
                maxLag = Math.Max(maxLag, lagMs);
                await publish(next, due).ConfigureAwait(false);
                next = due;
                continue;
            }

            // Sleep rather than spin: on two cores a spinning generator would take a core from the system under test.
            // The timer's granularity (about a millisecond) groups arrivals into bunches that short; each is published
            // as soon as it is due.
            var waitMs = ((next * ticksPerEvent) - now) * 1000d / Stopwatch.Frequency;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, waitMs)), cancellationToken).ConfigureAwait(false);
        }

        return maxLag;
    }

    /// <summary>The scheduled time of event i, in <see cref="Stopwatch"/> ticks of the run's clock.</summary>
    /// <param name="index">The event index.</param>
    /// <param name="rate">Events per second.</param>
    /// <returns>The ticks.</returns>
    public static long DueTicks(int index, double rate) => (long)(index * (Stopwatch.Frequency / rate));
}

/// <summary>Percentiles over a sample of latencies.</summary>
public static class Percentiles
{
    /// <summary>The p-th percentile (nearest rank) of the values, or NaN when there are none.</summary>
    /// <param name="values">The values (not modified).</param>
    /// <param name="p">The percentile, 0–100.</param>
    /// <returns>The value.</returns>
    public static double Of(ReadOnlySpan<double> values, double p)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var index = (int)Math.Ceiling(p / 100d * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
