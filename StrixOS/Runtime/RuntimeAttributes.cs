namespace System.Runtime;

// ILC recognises these attributes by name: RuntimeExport publishes a method under a fixed
// symbol (the entry points compiled code and CoreLib call); RuntimeImport binds an extern
// method straight to a symbol. CoreLib's own copies are internal, so the kernel declares its own.

[AttributeUsage(AttributeTargets.Method, Inherited = false)]
internal sealed class RuntimeExportAttribute : Attribute
{
    public RuntimeExportAttribute(string entry) => Entry = entry;
    public string Entry { get; }
}

[AttributeUsage(AttributeTargets.Method, Inherited = false)]
internal sealed class RuntimeImportAttribute : Attribute
{
    public RuntimeImportAttribute(string entry) => Entry = entry;
    public string Entry { get; }
}
