using ArmSmmu.Structures;

namespace ArmSmmu.Device;

/// <summary>GERROR, GERRORN and the global error interrupt's configuration (IHI0070 §6.3.17-§6.3.21, §7.5).</summary>
internal partial struct GlobalErrorBank
{
    /// <summary>GERROR: toggled by the SMMU to activate an error.</summary>
    public uint Gerror;

    /// <summary>GERRORN: toggled by software to acknowledge one.</summary>
    public uint Gerrorn;

    /// <summary>GERROR_IRQ_CFG0-2.</summary>
    public InterruptConfig Irq;

    /// <summary>An error is active while GERROR and GERRORN differ in its bit (IHI0070 §7.5).</summary>
    /// <param name="flag">The error.</param>
    /// <returns>True when active.</returns>
    public readonly bool IsActive(GerrorFlags flag) => ((Gerror ^ Gerrorn) & (uint)flag) != 0;

    /// <summary>Activates <paramref name="flag"/> by toggling its GERROR bit; false when it was already active.</summary>
    /// <param name="flag">The error.</param>
    /// <returns>Whether the error became active now.</returns>
    public bool TryActivate(GerrorFlags flag)
    {
        if (IsActive(flag))
        {
            return false;
        }

        Gerror ^= (uint)flag;
        return true;
    }
}
