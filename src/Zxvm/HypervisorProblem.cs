namespace Zxvm;

/// <summary>This host cannot run guests; the message says whether KVM is absent or not ours to use.</summary>
public sealed class HypervisorProblemException(string message) : Exception(message);

/// <summary>
/// Zircon's API answers ZX_ERR_NOT_SUPPORTED for every host that cannot run guests (as Zircon does
/// on hardware without VMX). The user needs to know which case it is, so zxvm looks at the device
/// node itself.
/// </summary>
internal static class HypervisorProblem
{
    public const string KvmPath = "/dev/kvm";

    /// <summary>Why <paramref name="path"/> gives no usable KVM: absent, permission, or refused.</summary>
    public static string Explain(string path = KvmPath)
    {
        if (!Path.Exists(path))
            return $"no KVM on this host: {path} does not exist (load the kvm module, or enable nested virtualisation in the outer hypervisor)";
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (UnauthorizedAccessException)
        {
            return $"permission denied opening {path} (add your user to its group, usually 'kvm')";
        }
        catch (IOException e)
        {
            return $"cannot open {path}: {e.Message}";
        }
        return $"{path} opens but KVM refused this VMM (its API version or a capability it needs is missing)";
    }
}
