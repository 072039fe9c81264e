namespace ManufacturingOrchestration.Model.Validation;

/// <summary>
/// One problem found in an event or payload: where (a JSON path such as <c>$.data.quantity.value</c>), why
/// (a catalogued <see cref="Model.ReasonCode"/>) and a message for a person.
/// </summary>
public sealed class ValidationError : IEquatable<ValidationError>
{
    /// <summary>Creates a validation error.</summary>
    /// <param name="path">The JSON path of the offending member, starting with <c>$</c>.</param>
    /// <param name="reasonCode">The catalogued reason code.</param>
    /// <param name="message">What is wrong, for a person.</param>
    public ValidationError(string path, ReasonCode reasonCode, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(message);
        Path = path;
        ReasonCode = reasonCode;
        Message = message;
    }

    /// <summary>The JSON path of the offending member, such as <c>$.data.quantity.value</c>; <c>$</c> for the whole event.</summary>
    public string Path { get; }

    /// <summary>The catalogued reason code, from <see cref="ReasonCodes"/>.</summary>
    public ReasonCode ReasonCode { get; }

    /// <summary>What is wrong, for a person.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public bool Equals(ValidationError? other) =>
        other is not null && Path == other.Path && ReasonCode.Code == other.ReasonCode.Code && Message == other.Message;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ValidationError);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Path, ReasonCode.Code, Message);

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {ReasonCode.Code}: {Message}";
}
