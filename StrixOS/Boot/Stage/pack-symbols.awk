# Packs the kernel's symbol table (strix.sym: "address kind name" lines from nm -n, sorted by address)
# into the form every boot carries (strix.packed.sym, inside boot/strix.elf: the module "strix.symbols"), read by
# StrixOS/Core/Symbols/PackedSymbols.cs. A boot's cost follows the bytes GRUB delivers, so this keeps only
# what reports need (address and name) and shares each name's prefix with the one before it:
#   STRIXSY1                  the tag line
#   @ADDRESS NAME             a restart: full address (hex, as nm prints it) and full name
#   DELTA SHARED SUFFIX       address - the previous entry's (hex), the count of leading characters
#                             shared with the previous name (hex), the rest of the name
# A restart starts every 16 entries, and wherever the upper 32 bits of the address change (awk's
# numbers are doubles: deltas are taken on the lower 32 bits only), so a lookup decodes at most 16.
BEGIN { print "STRIXSY1"; count = 0 }

function hex32(text,    value, i) {
  value = 0
  for (i = 1; i <= length(text); i++)
    value = value * 16 + index("0123456789abcdef", tolower(substr(text, i, 1))) - 1
  return value
}

NF >= 3 {
  address = $1; name = $3
  high = substr(address, 1, length(address) - 8); low = hex32(substr(address, length(address) - 7))
  if (count % 16 == 0 || high != previousHigh || low < previousLow) {
    printf "@%s %s\n", address, name
    count = 0
  } else {
    shared = 0
    limit = length(name) < length(previousName) ? length(name) : length(previousName)
    while (shared < limit && substr(name, shared + 1, 1) == substr(previousName, shared + 1, 1))
      shared++
    printf "%x %x %s\n", low - previousLow, shared, substr(name, shared + 1)
  }
  count++
  previousHigh = high; previousLow = low; previousName = name
}
