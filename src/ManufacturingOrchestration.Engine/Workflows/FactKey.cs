namespace ManufacturingOrchestration.Engine.Workflows;

/// <summary>
/// Names a fact a workflow step stores in its <see cref="StepContext"/> for later steps, together with the fact's type,
/// so the step that writes a fact and the steps that read it agree on both. Declare a key once, as a static field, and
/// use that field everywhere the fact is written or read.
/// </summary>
/// <typeparam name="T">The type of the fact.</typeparam>
/// <remarks>
/// A fact is identified by its name and its type together: two keys with the same name and different types name two
/// different facts, which never overwrite or hide each other. Two keys are equal when their names are equal (ordinal)
/// and their types are the same.
/// </remarks>
public readonly struct FactKey<T> : IEquatable<FactKey<T>>
{
    /// <summary>Creates a key.</summary>
    /// <param name="name">The fact name, such as <c>"material"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public FactKey(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The fact name (<see langword="null"/> only for the <see langword="default"/> key, which no context accepts).</summary>
    public string Name { get; }

    /// <summary>Whether two keys name the same fact.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    /// <returns><see langword="true"/> when the names are equal.</returns>
    public static bool operator ==(FactKey<T> left, FactKey<T> right) => left.Equals(right);

    /// <summary>Whether two keys name different facts.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    /// <returns><see langword="true"/> when the names differ.</returns>
    public static bool operator !=(FactKey<T> left, FactKey<T> right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(FactKey<T> other) => string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FactKey<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Name is null ? 0 : StringComparer.Ordinal.GetHashCode(Name);

    /// <inheritdoc />
    public override string ToString() => Name ?? string.Empty;
}
