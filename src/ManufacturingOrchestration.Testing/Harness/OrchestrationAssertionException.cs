namespace ManufacturingOrchestration.Testing;

/// <summary>An expectation checked by <see cref="OrchestrationTestHarness"/> did not hold; the message says what was found.</summary>
public sealed class OrchestrationAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OrchestrationAssertionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was expected and what was found.</param>
    public OrchestrationAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="innerException">The cause.</param>
    public OrchestrationAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
