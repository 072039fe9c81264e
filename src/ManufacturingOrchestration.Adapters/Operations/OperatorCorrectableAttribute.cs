namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// Marks a property of an adapter command (or of a record a command carries) that an operator's edited replay — a
/// manual correction of a dead-lettered command — may change: how the command reaches its target (a storage location,
/// a bin, a text, who is notified), not what it does.
/// </summary>
/// <remarks>
/// Everything else a command carries must stay as the workflow planned it: what it acts on (lot, site, material,
/// order, document…) and what was decided (categories, dispositions, quantities, statuses). A correction that would
/// change them is refused with <c>engine.correction-not-permitted</c>: a different decision is the workflow's to take
/// again, under the authority its rules require, not an operator's to type into a command. A command type of your own
/// marks the properties its operators may correct; one that marks none can be replayed only as planned.
/// </remarks>
[AttributeUsage(AttributeTargets.Property, Inherited = true, AllowMultiple = false)]
public sealed class OperatorCorrectableAttribute : Attribute;
