import Foundation

/// Imports a Caffe SSD (deploy `.prototxt` + `.caffemodel`), e.g. MobileNet-SSD.
public enum CaffeSSDImporter {
    public static func importModel(prototxt: String, caffemodel: String, options: ImportOptions) throws(ImportError) -> ImportedModel {
        throw .unsupported(file: prototxt, location: "importer", problem: "not written yet")
    }
}
