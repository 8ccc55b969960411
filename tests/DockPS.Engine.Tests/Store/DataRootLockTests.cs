using DockPS.Engine.Store;

namespace DockPS.Engine.Tests.Store;

public class DataRootLockTests
{
    [Fact]
    public void ASecondHolderIsRefusedWithTheFirstOnesPid()
    {
        using var dir = new TempDir();
        using var first = DataRootLock.Acquire(dir.Path);
        var e = Assert.Throws<DataRootInUseException>(() => DataRootLock.Acquire(dir.Path));
        Assert.Equal(Environment.ProcessId, e.HolderPid);
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("in use", e.Message);
    }

    [Fact]
    public void TheLockIsFreeAgainAfterRelease()
    {
        using var dir = new TempDir();
        DataRootLock.Acquire(dir.Path).Dispose();
        using var again = DataRootLock.Acquire(dir.Path);
        Assert.True(File.Exists(dir[DataRootLock.FileName]));
    }
}
