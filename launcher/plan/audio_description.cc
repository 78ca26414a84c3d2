#include "plan/audio_description.h"

namespace vmrun {

std::string describe_audio(const AudioPlan& a) {
    std::string card = a.model == AudioModel::ac97 ? "AC97" : "ich9-intel-hda + hda-duplex";
    if (a.driver == "pa" && a.socket.empty())
        return card + " playing through the sound server of " + a.user + ", who is not a user on this host";
    switch (a.backend) {
        case AudioBackend::pipewire:
            return card + " playing through PipeWire's PulseAudio server (pipewire-pulse) at " + a.socket +
                   ": QEMU 7.2 has no PipeWire backend, so its pa driver is used";
        case AudioBackend::pulseaudio:
            return card + " playing through PulseAudio at " + a.socket + (a.cookie.empty() ? "" : " with the cookie " + a.cookie);
        case AudioBackend::alsa: return card + " playing through ALSA's " + (a.alsa_device.empty() ? "default" : a.alsa_device) + " device";
        case AudioBackend::none: return card + " with no host sound (backend none)";
    }
    return card;
}

}  // namespace vmrun
