using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>How urgent a notification is (ISA-95 <c>OperationsEvent</c> kinds: event, alert, alarm).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<NotificationSeverity>))]
public enum NotificationSeverity
{
    /// <summary>For information.</summary>
    Information = 0,

    /// <summary>Needs attention.</summary>
    Alert = 1,

    /// <summary>Needs action now.</summary>
    Alarm = 2,
}

/// <summary>Send a business alert or notification to the people holding some roles at a site.</summary>
public sealed record SendNotificationRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.NotificationSend;

    /// <summary>The roles to notify, such as planner or warehouse lead.</summary>
    [OperatorCorrectable]
    public required IReadOnlyList<Role> Roles { get; init; }

    /// <summary>The site whose role holders are notified.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The severity.</summary>
    [OperatorCorrectable]
    public NotificationSeverity Severity { get; init; } = NotificationSeverity.Information;

    /// <summary>The subject.</summary>
    [OperatorCorrectable]
    public required string Subject { get; init; }

    /// <summary>The body, for people.</summary>
    [OperatorCorrectable]
    public string? Body { get; init; }

    /// <summary>The catalogued reason code, such as <c>lot.on-hold</c>.</summary>
    public ReasonCode? ReasonCode { get; init; }

    /// <summary>The lot concerned, when any.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The order concerned, when any.</summary>
    public OrderId? Order { get; init; }
}
