using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The base of every adapter command request. A command is serializable with <see cref="Serialization.AdapterJsonContext"/>
/// and identified by its stable <see cref="Kind"/> (one of <see cref="CommandKinds"/>), so the engine can keep it in
/// its outbox as (kind, payload JSON) and execute it later, possibly after a restart.
/// </summary>
public abstract record AdapterCommand
{
    /// <summary>The idempotency key, correlation id, causation id and site.</summary>
    public required CommandContext Context { get; init; }

    /// <summary>The stable command kind, such as <c>erp.change-stock-category</c>.</summary>
    [JsonIgnore]
    public abstract string Kind { get; }

    /// <summary>The target system this command is for: the prefix of <see cref="Kind"/>, such as <c>erp</c>.</summary>
    [JsonIgnore]
    public string TargetSystem => CommandKinds.SystemOf(Kind);
}
