import ArgumentParser
import LiteDetect

/// `detect`: the command-line face of LiteDetect, a thin shell over the public library API.
@main
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect objects in images and video on the CPU with lightweight backbones.",
        discussion: """
            Examples:
              detect SampleImages/street.jpg                  people in a photo, with the default model
              detect photos/ --format json > results.jsonl    a folder, one JSON line per image
              detect photo.jpg --backbone mobilenetv3-small --random-weights --no-draw
              detect video clip.mp4 --output out.mp4          a video file, annotated (or --format json)
              detect serve --host 0.0.0.0                     an HTTP detection server (DeepStack-compatible route included)
              detect models                                   what can run, and what it costs
              detect eval --annotations gt.json --images dir/ COCO mAP on annotated images (pycocotools' numbers)
              detect bench --chart bench.png                  speed of every backbone, as a table and a chart
              detect import graph.pb --name my-ssd --labels coco   a TensorFlow or Caffe SSD model as a LiteDetect model

            'detect help images' lists every option of the default command.
            """,
        subcommands: [
            ImagesCommand.self, VideoCommand.self, ServeCommand.self, ModelsCommand.self, BenchCommand.self, EvalCommand.self, ImportCommand.self,
        ],
        defaultSubcommand: ImagesCommand.self
    )
}

extension BackboneName: ExpressibleByArgument {}
