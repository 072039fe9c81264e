using System.Globalization;
using System.Runtime;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.StandardScenario;

/// <summary>
/// One run's result as one JSON line (<c>--json</c>), the same shape from every runner, read back by the comparison
/// command. Events per second, bytes and processor time per event, latency, the collector and the verdict.
/// </summary>
public sealed class RunResult
{
    /// <summary>The prefix of the JSON line on standard output, so the line is found among the human-readable report.</summary>
    public const string LinePrefix = "RESULT ";

    /// <summary>What ran: <c>masstransit</c>, <c>user</c>, <c>plain</c>, <c>shipped</c>.</summary>
    public required string Runner { get; init; }

    /// <summary>The store: <c>memory</c> or <c>sqlite</c>.</summary>
    public required string Store { get; init; }

    /// <summary>Lots in the scenario.</summary>
    public int Lots { get; init; }

    /// <summary>Events published, duplicates included.</summary>
    public long Events { get; init; }

    /// <summary>Events accepted and processed (duplicates excluded).</summary>
    public long Processed { get; init; }

    /// <summary>The constant arrival rate of an open-loop run, events/s; 0 for a run at saturation.</summary>
    public double Rate { get; init; }

    /// <summary>Accepted events per second, end to end.</summary>
    public double EventsPerSecond { get; init; }

    /// <summary>Bytes allocated by the whole process per accepted event.</summary>
    public double BytesPerEvent { get; init; }

    /// <summary>Processor time of the whole process per accepted event, microseconds.</summary>
    public double CpuMicrosecondsPerEvent { get; init; }

    /// <summary>How long the collector paused the process during the timed part, ms (<see cref="GC.GetTotalPauseDuration"/>).</summary>
    public double GcPauseMs { get; init; }

    /// <summary>Median latency, accepted → committed step, ms.</summary>
    public double LatencyP50Ms { get; init; }

    /// <summary>99th percentile latency, ms.</summary>
    public double LatencyP99Ms { get; init; }

    /// <summary>How far behind its schedule the open-loop generator fell at most, ms (0 at saturation).</summary>
    public double MaxScheduleLagMs { get; init; }

    /// <summary>The collector: <c>server</c> or <c>workstation</c>.</summary>
    public string GcMode { get; init; } = CurrentGcMode();

    /// <summary>The one-minute load average at the end of the run, when the system reports it.</summary>
    public double? LoadAverage { get; init; } = ReadLoadAverage();

    /// <summary>Whether every check passed.</summary>
    public bool Passed { get; init; }

    /// <summary>The first failures (at most 10).</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>The collector this process runs with.</summary>
    /// <returns><c>server</c> or <c>workstation</c>.</returns>
    public static string CurrentGcMode() => GCSettings.IsServerGC ? "server" : "workstation";

    /// <summary>The one-minute load average, or <see langword="null"/> where the system does not report it.</summary>
    /// <returns>The load average.</returns>
    public static double? ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg")
                ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The JSON line, prefixed with <see cref="LinePrefix"/>.</summary>
    /// <returns>The line.</returns>
    public string ToLine() => LinePrefix + JsonSerializer.Serialize(this, RunResultJsonContext.Default.RunResult);

    /// <summary>Finds and reads the result line in a runner's output.</summary>
    /// <param name="output">The runner's standard output.</param>
    /// <returns>The result, or <see langword="null"/> when the output has no result line.</returns>
    public static RunResult? Find(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(LinePrefix, StringComparison.Ordinal))
            {
                return JsonSerializer.Deserialize(line.AsSpan(LinePrefix.Length).Trim(), RunResultJsonContext.Default.RunResult);
            }
        }

        return null;
    }
}

/// <summary>Serializes <see cref="RunResult"/> without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunResult))]
internal sealed partial class RunResultJsonContext : JsonSerializerContext;
