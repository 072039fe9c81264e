using System.Diagnostics.Tracing;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// Every pause of the garbage collector (the runtime suspending all managed threads until it restarts them), from the
/// runtime's own events, so a latency percentile can be set against the longest pauses instead of only their total.
/// The runtime delivers its events to a listener a little late; <see cref="Pauses"/> is read after the run.
/// </summary>
internal sealed class GcPauseRecorder : EventListener
{
    private const int GcKeyword = 0x1;
    private const int SuspendBegin = 9; // GCSuspendEEBegin_V1
    private const int RestartEnd = 3;   // GCRestartEEEnd_V1

    private readonly Lock _gate = new();
    private readonly List<(DateTime At, double Ms)> _pauses = [];
    private DateTime _suspendedAt;

    /// <summary>The pauses that began between <paramref name="from"/> and <paramref name="to"/> (UTC), ms, longest first.</summary>
    public double[] Pauses(DateTime from, DateTime to)
    {
        lock (_gate)
        {
            return [.. _pauses.Where(p => p.At >= from && p.At <= to).Select(p => p.Ms).OrderDescending()];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        lock (_gate)
        {
            if (eventData.EventId == SuspendBegin)
            {
                _suspendedAt = eventData.TimeStamp;
            }
            else if (eventData.EventId == RestartEnd && _suspendedAt != default)
            {
                _pauses.Add((_suspendedAt, (eventData.TimeStamp - _suspendedAt).TotalMilliseconds));
                _suspendedAt = default;
            }
        }
    }
}
