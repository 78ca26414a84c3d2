#include "profile/smbios_fields.h"

namespace vmrun {

const std::vector<SmbiosField>& smbios_fields() {
    // The UUID is not copied from the host: two VMs copying one host must not share one.
    static const std::vector<SmbiosField> fields = {
        {0, "vendor", "bios_vendor"},        {0, "version", "bios_version"},     {0, "date", "bios_date"},
        {0, "release", "bios_release"},      {0, "uefi", nullptr},
        {1, "manufacturer", "sys_vendor"},   {1, "product", "product_name"},     {1, "version", "product_version"},
        {1, "serial", "product_serial"},     {1, "uuid", nullptr},               {1, "sku", "product_sku"},
        {1, "family", "product_family"},
        {2, "manufacturer", "board_vendor"}, {2, "product", "board_name"},       {2, "version", "board_version"},
        {2, "serial", "board_serial"},       {2, "asset", "board_asset_tag"},    {2, "location", nullptr},
        {3, "manufacturer", "chassis_vendor"}, {3, "version", "chassis_version"}, {3, "serial", "chassis_serial"},
        {3, "asset", "chassis_asset_tag"},   {3, "sku", nullptr},
        {17, "loc_pfx", nullptr},            {17, "bank", nullptr},              {17, "manufacturer", nullptr},
        {17, "serial", nullptr},             {17, "asset", nullptr},             {17, "part", nullptr},
        {17, "speed", nullptr},
    };
    return fields;
}

const std::vector<int>& smbios_types() {
    static const std::vector<int> types = {0, 1, 2, 3, 17};
    return types;
}

}  // namespace vmrun
