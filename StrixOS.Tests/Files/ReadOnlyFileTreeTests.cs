using System.Linq;
using StrixOS.Files;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Files;

/// <summary>The names side of the kernel's module file system (StrixOS/Core/Files).</summary>
public class ReadOnlyFileTreeTests
{
    [Fact]
    public void FilesImplyTheirDirectories()
    {
        var tree = new ReadOnlyFileTree();
        Assert.True(tree.Add("/data/x.txt", 0x1000, 12).IsOk);
        Assert.True(tree.Add("/data/sub/y.bin", 0x2000, 0).IsOk);
        Assert.True(tree.Add("/top", 0x3000, 5).IsOk);

        Assert.Equal(3, tree.FileCount);
        FileTreeNode x = tree.Find("/data/x.txt")!;
        Assert.False(x.IsDirectory);
        Assert.Equal(0x1000UL, x.Address);
        Assert.Equal(12L, x.Length);
        Assert.Equal("x.txt", x.Name);
        Assert.True(tree.Find("/data")!.IsDirectory);
        Assert.True(tree.Find("/data/sub")!.IsDirectory);
        Assert.Equal(new[] { "data", "top" }, tree.Root.Children.Select(c => c.Name));
        Assert.Equal(new[] { "x.txt", "sub" }, tree.Find("/data")!.Children.Select(c => c.Name));
        Assert.Empty(x.Children);
    }

    [Theory]
    [InlineData("/data/x.txt")]
    [InlineData("//data///x.txt")]
    [InlineData("/data/./x.txt")]
    [InlineData("/data/sub/../x.txt")]
    [InlineData("/../data/x.txt")]
    public void LookupsAreNormalised(string path)
    {
        var tree = new ReadOnlyFileTree();
        Assert.True(tree.Add("/data/x.txt", 1, 1).IsOk);
        Assert.True(tree.Add("/data/sub/y", 1, 1).IsOk);
        Assert.Same(tree.Find("/data/x.txt"), tree.Find(path));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/data/")]
    [InlineData("/data/sub/..")]
    public void DirectoriesAreFoundWithOrWithoutTrailingSlash(string path)
    {
        var tree = new ReadOnlyFileTree();
        Assert.True(tree.Add("/data/sub/y", 1, 1).IsOk);
        Assert.True(tree.Find(path)!.IsDirectory);
    }

    [Theory]
    [InlineData("data/x", FileTreeError.NotAbsolute)]
    [InlineData("", FileTreeError.NotAbsolute)]
    [InlineData("/", FileTreeError.NotAbsolute)]
    [InlineData("/a/../x", FileTreeError.InvalidComponent)]
    [InlineData("/a/./x", FileTreeError.InvalidComponent)]
    [InlineData("/a\0b", FileTreeError.InvalidComponent)]
    [InlineData("/data/x.txt", FileTreeError.Duplicate)]
    [InlineData("/data", FileTreeError.FileDirectoryClash)]
    [InlineData("/data/x.txt/inside", FileTreeError.FileDirectoryClash)]
    public void BadPathsAreErrorsAndChangeNothing(string path, FileTreeError expected)
    {
        var tree = new ReadOnlyFileTree();
        Assert.True(tree.Add("/data/x.txt", 1, 1).IsOk);
        Result<FileTreeNode, FileTreeError> added = tree.Add(path, 2, 2);
        Assert.True(added.IsError);
        Assert.Equal(expected, added.Error);
        Assert.Equal(1, tree.FileCount);
        Assert.Single(tree.Root.Children);
        Assert.Single(tree.Find("/data")!.Children);
        Assert.NotEmpty(expected.Describe());
    }

    [Fact]
    public void NegativeLengthIsRefused()
    {
        Assert.Equal(FileTreeError.BadLength, new ReadOnlyFileTree().Add("/x", 0, -1).Error);
    }

    [Theory]
    [InlineData("/missing")]
    [InlineData("relative")]
    [InlineData("/data/x.txt/more")]
    public void MissingPathsAreNull(string path)
    {
        var tree = new ReadOnlyFileTree();
        Assert.True(tree.Add("/data/x.txt", 1, 1).IsOk);
        Assert.Null(tree.Find(path));
    }
}
