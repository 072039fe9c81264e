using System.Security.Cryptography;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// Signs audit checkpoints with a secret the host holds and the database never does (see
/// <see cref="Execution.OrchestratorOptions.AuditCheckpointSigner"/>). With a signer, someone who can write the database
/// can no longer forge or rewrite a checkpoint, nor delete every checkpoint unnoticed (see <see cref="AuditVerifier"/>).
/// </summary>
public interface IAuditCheckpointSigner
{
    /// <summary>Computes the message authentication code of a payload (<see cref="AuditHashes.CheckpointMacPayload"/>).</summary>
    /// <param name="payload">The bytes to sign.</param>
    /// <returns>The code as lower-case hex; the same payload always gives the same code.</returns>
    string Sign(ReadOnlySpan<byte> payload);
}

/// <summary>An <see cref="IAuditCheckpointSigner"/> computing HMAC-SHA256 with a key the host supplies.</summary>
/// <remarks>
/// The key comes from the host's secret store or configuration (for example a base64 secret read at start); it is
/// never written to the database or the audit trail. Anyone holding the key can sign checkpoints, so keep it where
/// the people who can write the database cannot read it. Changing the key makes the checkpoints signed with the old
/// one fail verification.
/// </remarks>
public sealed class HmacAuditCheckpointSigner : IAuditCheckpointSigner
{
    /// <summary>The shortest key accepted, in bytes.</summary>
    public const int MinimumKeyLength = 16;

    private readonly byte[] _key;

    /// <summary>Creates a signer with a key.</summary>
    /// <param name="key">The secret key, at least <see cref="MinimumKeyLength"/> bytes (32 random bytes recommended); copied.</param>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinimumKeyLength"/> bytes.</exception>
    public HmacAuditCheckpointSigner(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumKeyLength)
        {
            throw new ArgumentException($"The audit checkpoint key has {key.Length} bytes; at least {MinimumKeyLength} are required (32 random bytes are recommended).", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <inheritdoc />
    public string Sign(ReadOnlySpan<byte> payload)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, payload, mac);
        return Convert.ToHexStringLower(mac);
    }
}
