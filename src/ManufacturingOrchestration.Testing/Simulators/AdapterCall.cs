using ManufacturingOrchestration.Adapters;

namespace ManufacturingOrchestration.Testing;

/// <summary>One call a simulator received: a command with its outcome, or a query.</summary>
public sealed record AdapterCall
{
    /// <summary>The command or query kind, such as <c>erp.change-stock-category</c> or <c>erp.get-lot</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>When the call was answered, by the simulator's clock.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The command, for command calls.</summary>
    public AdapterCommand? Command { get; init; }

    /// <summary>The outcome, for command calls.</summary>
    public AdapterResult? Result { get; init; }

    /// <summary>The idempotency key, for command calls.</summary>
    public string? IdempotencyKey => Command?.Context?.IdempotencyKey;
}
