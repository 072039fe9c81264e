using System.Text.Json.Serialization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Samples.CustomConnector;

/// <summary>
/// The operations of a target system the library does not know: the laboratory's LIMS. Each has a stable kind,
/// <c>&lt;system&gt;.&lt;verb-object&gt;</c>, that is never renamed once commands are stored under it.
/// </summary>
public static class LimsOperations
{
    /// <summary>The target system: the prefix of every LIMS operation, and the name its adapter is composed under.</summary>
    public const string System = "lims";

    /// <summary>The command: register a retest sample for a lot.</summary>
    public const string RecordRetestSample = "lims.record-retest-sample";

    /// <summary>The query: the retest sample the LIMS already holds for a lot, if any.</summary>
    public const string FindRetestSample = "lims.find-retest-sample";

    /// <summary>The LIMS refused a registration as it stands (a test method it has not configured, for one): retrying will not help, changing the LIMS or the command may.</summary>
    public static readonly ReasonCode RegistrationRefused = new("lims.registration-refused", "The LIMS refused the sample registration, such as for a test method it has not configured.");
}

/// <summary>
/// A command of our own: register a retest sample for a lot in the LIMS. It derives from <see cref="AdapterCommand"/>,
/// so it carries the idempotency key, correlation and site in <see cref="AdapterCommand.Context"/>, and the outbox keeps
/// it as JSON written with <see cref="LimsJsonContext"/> — retried, dead-lettered and replayed like a built-in command.
/// </summary>
public sealed record RecordRetestSample : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => LimsOperations.RecordRetestSample;

    /// <summary>The lot to sample.</summary>
    public required LotId Lot { get; init; }

    /// <summary>Its material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The inspection lot that failed.</summary>
    public required InspectionLotId InspectionLot { get; init; }

    /// <summary>The characteristic that failed, such as <c>capacitance</c>.</summary>
    public required string Characteristic { get; init; }

    /// <summary>The LIMS test method that retests it, such as <c>CAP-LCR-1KHZ</c>.</summary>
    public required string TestMethod { get; init; }

    /// <summary>Why, for the lab.</summary>
    public string? Reason { get; init; }
}

/// <summary>A query of our own: the retest sample the LIMS already holds for a lot (<see langword="null"/> when none).</summary>
/// <param name="Lot">The lot.</param>
public sealed record FindRetestSample(LotId Lot) : AdapterQuery<RetestSample?>;

/// <summary>A retest sample in the LIMS.</summary>
public sealed record RetestSample
{
    /// <summary>The LIMS's sample id, such as <c>S-1001</c>.</summary>
    public required string SampleId { get; init; }

    /// <summary>The lot sampled.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The test method.</summary>
    public required string TestMethod { get; init; }

    /// <summary>Who registered it: the orchestrator's request id (an idempotency key), or the lab technician who drew it by hand.</summary>
    public required string RegisteredBy { get; init; }
}

/// <summary>
/// The JSON contract of the LIMS command, source-generated: the outbox stores a <see cref="RecordRetestSample"/> as the
/// JSON this context writes, and reads it back with it for every retry and replay, also after a restart.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(RecordRetestSample))]
public sealed partial class LimsJsonContext : JsonSerializerContext
{
}
