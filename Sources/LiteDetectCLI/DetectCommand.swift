import ArgumentParser
import LiteDetect

/// `detect`: the command-line face of LiteDetect. A thin shell over the public library API.
@main
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect objects in images and video on the CPU with lightweight backbones.",
        subcommands: [ModelsCommand.self]
    )
}
