using System.Text;
using ManufacturingOrchestration.Adapters;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// A command as the outbox keeps it: opaque UTF-8 JSON written by the <see cref="OperationRegistry"/> under the
/// command's stable kind (<see cref="OutboxEntry.Kind"/>). A store persists <see cref="Utf8Json"/> and gives it back
/// with <see cref="CommandPayload(ReadOnlyMemory{byte})"/>; it never needs to know the command types. The orchestrator
/// reads the command back through its registry when it executes it.
/// </summary>
/// <remarks>
/// A payload created from a command (<see cref="Of"/>) writes its JSON only when first asked for it, so a store that
/// keeps objects in memory never pays for serialization. Two payloads are equal when their JSON is.
/// </remarks>
public sealed class CommandPayload : IEquatable<CommandPayload>
{
    private readonly OperationRegistry? _operations;
    private AdapterCommand? _command;
    private byte[]? _json;

    /// <summary>Creates a payload from the JSON a store kept.</summary>
    /// <param name="utf8Json">The UTF-8 JSON, as <see cref="Utf8Json"/> gave it when the command was stored.</param>
    public CommandPayload(ReadOnlyMemory<byte> utf8Json)
    {
        _json = utf8Json.ToArray();
    }

    private CommandPayload(AdapterCommand command, OperationRegistry operations)
    {
        _command = command;
        _operations = operations;
    }

    /// <summary>The command's UTF-8 JSON, for a store to persist.</summary>
    /// <exception cref="Model.ManufacturingOrchestrationException">The command's type is not registered in the registry it was created with.</exception>
    public ReadOnlyMemory<byte> Utf8Json => Volatile.Read(ref _json) ?? Write();

    /// <summary>Creates the payload of a command; its JSON is written by <paramref name="operations"/> when first asked for.</summary>
    /// <param name="command">The command.</param>
    /// <param name="operations">The registry the command's type is registered in.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="Model.ManufacturingOrchestrationException">The command's type is not registered (<see cref="Model.ReasonCodes.UnknownCommandKind"/>).</exception>
    public static CommandPayload Of(AdapterCommand command, OperationRegistry operations)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(operations);
        if (!operations.TryGet(command.GetType(), out var operation) || operation.Type != OperationType.Command || !string.Equals(operation.Kind, command.Kind, StringComparison.Ordinal))
        {
            // Refused when planned, not when a store first writes it: the step that planned it fails by name.
            _ = operations.Serialize(command);
        }

        return new CommandPayload(command, operations);
    }

    /// <summary>The command, read back through a registry when the payload came from a store.</summary>
    /// <param name="kind">The command's kind (<see cref="OutboxEntry.Kind"/>).</param>
    /// <param name="operations">The registry.</param>
    /// <returns>The command.</returns>
    /// <exception cref="Model.ManufacturingOrchestrationException">The kind is not a registered command.</exception>
    /// <exception cref="System.Text.Json.JsonException">The JSON is not a valid command of that kind.</exception>
    public AdapterCommand ToCommand(string kind, OperationRegistry operations)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(operations);
        if (Volatile.Read(ref _command) is { } command)
        {
            return command;
        }

        command = operations.Deserialize(kind, Volatile.Read(ref _json));
        Volatile.Write(ref _command, command);
        return command;
    }

    /// <inheritdoc />
    public bool Equals(CommandPayload? other) =>
        other is not null && (ReferenceEquals(this, other) || Utf8Json.Span.SequenceEqual(other.Utf8Json.Span));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CommandPayload);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Utf8Json.Span);
        return hash.ToHashCode();
    }

    /// <summary>The JSON as text.</summary>
    /// <returns>The JSON.</returns>
    public override string ToString() => Encoding.UTF8.GetString(Utf8Json.Span);

    private byte[] Write()
    {
        var json = _operations!.Serialize(_command!);
        Volatile.Write(ref _json, json);
        return json;
    }
}
