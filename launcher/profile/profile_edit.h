#pragma once
// Edits a profile's text the way a person would: one list item added or some
// removed, every other byte (comments, order, quoting, blank lines) kept. Pure:
// it works on the text and the locations the loader recorded, and the caller
// re-validates what comes out before writing it anywhere.

#include <string>
#include <vector>

#include "profile/profile_loader.h"

namespace vmrun {

// The top-level lists a device can live in.
enum class DeviceList { disks, network, passthrough, usb };
const char* list_key(DeviceList list);

struct ItemField {
    std::string key, value;
    bool verbatim = false;  // true: written as is (a bool, a number); false: a string, quoted when YAML needs it
};

struct ProfileEdit {
    std::string text;   // the edited profile; meaningful when error is empty
    std::string error;  // why the text cannot be edited this way (and what to do)
    bool ok() const { return error.empty(); }
};

// Appends one item to `list`, in the style of the items already there (a
// block mapping like the others, or `- {key: value}` when they are flow or
// scalar items); creates the list at the end of the file when it is missing.
ProfileEdit append_item(const std::string& text, const LoadedProfile& loaded, DeviceList list,
                        const std::vector<ItemField>& fields);
// Several, one after the other (the functions of one PCI slot).
ProfileEdit append_items(const std::string& text, const LoadedProfile& loaded, DeviceList list,
                         const std::vector<std::vector<ItemField>>& items);

// Removes the items of `list` whose position in the list is in `indexes`
// (each item's lines, from its '- ' to its last line). A list left empty
// goes away with its key, or becomes `key: []` when its key line has a comment.
ProfileEdit remove_items(const std::string& text, const LoadedProfile& loaded, DeviceList list,
                         const std::vector<size_t>& indexes);

// The items that make the VM device `id`: the item with that id, and for a
// PCI host device the other functions of its host slot (vmrun puts them in one
// guest slot, which leaves the VM as one). Empty when no item has the id.
struct DeviceItems {
    DeviceList list = DeviceList::disks;
    std::vector<size_t> indexes;
};
DeviceItems find_device_items(const Profile& profile, const std::string& id);
// Every id the profile's device lists hold, for a message.
std::vector<std::string> device_ids(const Profile& profile);

// A scalar as YAML reads it back as the same string: plain when that is safe,
// else double-quoted.
std::string yaml_scalar(const std::string& value);

}  // namespace vmrun
